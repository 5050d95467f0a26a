/**
 * Bench-only setup route of the bench Worker entries, never deployed: POST /api/__bench/sql runs
 * `{ statements: [{ sql, params }] }` as one D1 batch and answers each result. The benchmarks use it to
 * set up and check state the API has no call for (moving a schedule's refill time to now, counting
 * duplicates). Its own D1 rows are counted by the meter too: read the meter before and after it, not across.
 */
import { BENCH_PATH } from "./meter";

export async function sqlRoute(request: Request, db: D1Database): Promise<Response | undefined> {
  if (new URL(request.url).pathname !== `${BENCH_PATH}sql` || request.method !== "POST") return undefined;
  const { statements } = (await request.json()) as { statements: { sql: string; params?: unknown[] }[] };
  const results = await db.batch(statements.map((s) => db.prepare(s.sql).bind(...(s.params ?? []))));
  return Response.json(results.map((r) => ({ results: r.results, meta: r.meta })));
}
