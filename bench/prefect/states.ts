/** Latencies of a Prefect flow run from its server-side record: the run's `created` and its states' timestamps. */

/** Prefect's ISO times carry microseconds ("2026-11-25T17:23:21.477163Z"); kept to the microsecond, in ms. */
export function isoToMs(iso: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) throw new Error(`not an ISO time: ${iso}`);
  const whole = Date.parse(m[1]! + m[3]!);
  return whole + (m[2] ? Number(`0${m[2]}`) * 1000 : 0);
}

export type StateRecord = { type: string; timestamp: string };

/**
 * ms from the run's creation to its first state of `type` (a worker proposes PENDING when it takes the run,
 * the flow engine in the run's process RUNNING when the flow starts); undefined when it never had one.
 */
export function msUntil(created: string, states: readonly StateRecord[], type: string): number | undefined {
  const times = states.filter((s) => s.type === type).map((s) => isoToMs(s.timestamp));
  return times.length ? Math.min(...times) - isoToMs(created) : undefined;
}
