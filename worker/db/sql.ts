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

/** True when the JSON array column holds every one of `tags`. */
export function tagsContainAll(column: SQLWrapper, tags: readonly string[]): SQL {
  return sql`(SELECT count(DISTINCT value) FROM json_each(${column}) WHERE value IN ${tags}) = ${new Set(tags).size}`;
}
