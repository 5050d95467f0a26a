import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

/** True when the JSON array column holds every one of `tags`. */
export function tagsContainAll(column: SQLWrapper, tags: readonly string[]): SQL {
  return sql`(SELECT count(DISTINCT value) FROM json_each(${column}) WHERE value IN ${tags}) = ${new Set(tags).size}`;
}
