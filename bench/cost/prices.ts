/**
 * Cloudflare's published prices (Workers Paid plan, usage beyond the monthly included amounts), as read
 * on the pages below on 2026-11-25 through the docs search (cited with the figures):
 *   https://developers.cloudflare.com/workers/platform/pricing/         Workers: requests, CPU time
 *   https://developers.cloudflare.com/d1/platform/pricing/              D1: rows read, rows written, storage
 *   https://developers.cloudflare.com/durable-objects/platform/pricing  Durable Objects: requests, duration
 * SQLite-backed Durable Object storage is billed per row too (since January 2026, per the DO release
 * notes); its rows are priced here at D1's row prices, which the excerpt read did not show: an assumption.
 */
export const PRICES = {
  plan_usd_per_month: 5,
  worker_requests: { usd_per_million: 0.3, included_per_month: 10_000_000 },
  worker_cpu_ms: { usd_per_million: 0.02, included_per_month: 30_000_000 },
  d1_rows_read: { usd_per_million: 0.001, included_per_month: 25_000_000_000 },
  d1_rows_written: { usd_per_million: 1.0, included_per_month: 50_000_000 },
  d1_storage_gb_month: { usd: 0.75, included_gb: 5 },
  do_requests: { usd_per_million: 0.15, included_per_month: 1_000_000 },
  /** Incoming WebSocket messages are billed as requests at 20:1. */
  do_websocket_messages_per_request: 20,
  do_duration_gb_s: { usd_per_million: 12.5, included_per_month: 400_000 },
  /** Duration is billed for 128 MB per active object. */
  do_memory_gb: 0.128,
  do_sql_rows_read: { usd_per_million: 0.001 },
  do_sql_rows_written: { usd_per_million: 1.0 },
} as const;

/** What one unit of work (a task run, a flow run, …) uses, as measured. */
export type UnitUsage = {
  worker_requests: number;
  worker_cpu_ms: number;
  d1_rows_read: number;
  d1_rows_written: number;
  do_requests: number;
  do_ws_messages_in: number;
  do_gb_s: number;
  do_sql_rows_read: number;
  do_sql_rows_written: number;
};

/**
 * USD per million units beyond the included amounts: each measured quantity per unit times its price per
 * million (a million units use a million times the per-unit quantity).
 */
export function usdPerMillion(u: UnitUsage): { total: number; parts: Record<string, number> } {
  const p = PRICES;
  const parts = {
    d1_writes: u.d1_rows_written * p.d1_rows_written.usd_per_million,
    d1_reads: u.d1_rows_read * p.d1_rows_read.usd_per_million,
    worker_requests: u.worker_requests * p.worker_requests.usd_per_million,
    worker_cpu: u.worker_cpu_ms * p.worker_cpu_ms.usd_per_million,
    do_requests: (u.do_requests + u.do_ws_messages_in / p.do_websocket_messages_per_request) * p.do_requests.usd_per_million,
    do_duration: u.do_gb_s * p.do_duration_gb_s.usd_per_million,
    do_sql: u.do_sql_rows_written * p.do_sql_rows_written.usd_per_million + u.do_sql_rows_read * p.do_sql_rows_read.usd_per_million,
  };
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

export const FORMULA =
  "USD per 1M units = rows written × $1.00 + rows read × $0.001 + Worker requests × $0.30 + Worker CPU ms × $0.02 " +
  "+ (DO requests + WebSocket messages in / 20) × $0.15 + DO GB-s × $12.50 + DO SQLite rows written × $1.00 (+ read × $0.001), " +
  "all per unit; beyond the Workers Paid plan's $5/month and its included 10M requests, 30M CPU-ms, 25B D1 rows read, " +
  "50M D1 rows written, 1M DO requests, 400,000 GB-s";
