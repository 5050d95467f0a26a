import { eq, sql, type Column, type SQL, type SQLWrapper } from "drizzle-orm";

/**
 * `column IN values` with one bound parameter whatever the length: D1 refuses statements with more
 * than 100, and a filter may list hundreds of ids. One value stays an equality, so SQLite can still
 * read an index in order instead of sorting.
 */
export function inValues(column: Column, values: readonly string[]): SQL {
  if (values.length === 1) return eq(column, values[0]!);
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/**
 * Prefect's `like_`: the column contains `text`, ignoring ASCII case as LIKE does. Not LIKE itself:
 * D1 refuses LIKE patterns over 50 bytes, and `_` or `%` in a name someone searches for are letters.
 */
export function containsText(column: Column, text: string): SQL {
  return sql`instr(lower(${column}), lower(${text})) > 0`;
}

/** True when the JSON array column holds every one of `tags`. */
export function tagsContainAll(column: SQLWrapper, tags: readonly string[]): SQL {
  return sql`(SELECT count(DISTINCT value) FROM json_each(${column}) WHERE value IN ${tags}) = ${new Set(tags).size}`;
}
