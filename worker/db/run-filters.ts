import { and, eq, gte, isNull, lt, lte, not, or, sql, type Column, type SQL } from "drizzle-orm";
import { STATE_TYPES, type StateType } from "../../protocol/states";
import { LATE_THRESHOLD_SECONDS, utcTime } from "../orchestration";
import type { flowRuns, taskRuns } from "./schema";
import { inValues } from "./sql";

type RunTable = typeof flowRuns | typeof taskRuns;

/*
 * Filter conditions both kinds of run share. State types are written as literals, not bound
 * parameters: SQLite only uses the partial index `flow_runs_pool_due` (state_type = 'SCHEDULED') when
 * it can see the constant. Only the known type names are ever inlined.
 */
export function stateTypeIn(table: RunTable, types: readonly StateType[]): SQL {
  const literals = types.filter((t) => STATE_TYPES.includes(t)).map((t) => `'${t}'`);
  return literals.length === 1
    ? sql`${table.state_type} = ${sql.raw(literals[0]!)}`
    : sql`${table.state_type} IN (${sql.raw(literals.join(", ") || "NULL")})`;
}

/**
 * State names as shown: "Late" is derived (a "Scheduled" run past its time by the threshold, see
 * run-view.ts), so filtering by "Late" or "Scheduled" must derive it the same way.
 */
export function stateNameIn(table: RunTable, names: readonly string[], now: Date): SQL {
  const lateBefore = new Date(now.getTime() - LATE_THRESHOLD_SECONDS * 1000).toISOString();
  const scheduled = and(eq(table.state_type, "SCHEDULED"), eq(table.state_name, "Scheduled"));
  const derivedLate = and(scheduled, lt(table.expected_start_time, lateBefore));
  const parts: SQL[] = [];
  const plain = names.filter((n) => n !== "Late" && n !== "Scheduled");
  if (plain.length) parts.push(inValues(table.state_name, plain));
  if (names.includes("Late")) parts.push(or(eq(table.state_name, "Late"), derivedLate)!);
  if (names.includes("Scheduled")) parts.push(and(eq(table.state_name, "Scheduled"), not(derivedLate!))!);
  return parts.length ? or(...parts)! : sql`0`;
}

/** Prefect's `{ before_, after_ }`, both inclusive. */
export function timeRange(column: Column, range: { before_?: string; after_?: string } | undefined): SQL[] {
  const where: SQL[] = [];
  if (range?.after_) where.push(gte(column, utcTime(range.after_)));
  if (range?.before_) where.push(lte(column, utcTime(range.before_)));
  return where;
}

/** Prefect's `{ any_, is_null_ }` on a nullable id column. */
export function anyOrNull(column: Column, f: { any_?: string[]; is_null_?: boolean } | undefined): SQL[] {
  const where: SQL[] = [];
  if (f?.any_) where.push(inValues(column, f.any_));
  if (f?.is_null_ === true) where.push(isNull(column));
  if (f?.is_null_ === false) where.push(sql`${column} IS NOT NULL`);
  return where;
}
