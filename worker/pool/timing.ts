/*
 * The pool's clocks. Chosen so that a killed worker's runs show as Crashed within 30 seconds: the
 * socket closes at once when the process dies, and the worker has RECONNECT_GRACE_MS to come back;
 * a worker whose connection hangs without closing is given up after MISSED_BEATS heartbeats.
 */

/** How long a worker has to acknowledge an offer before the run goes back to the pool. */
export const ACK_TIMEOUT_MS = 10_000;

/** How long a worker whose socket closed may take to reconnect and keep its runs. */
export const RECONNECT_GRACE_MS = 10_000;

/** How long a worker has to confirm a cancellation before the run is CANCELLED without it. */
export const CANCEL_TIMEOUT_MS = 30_000;

/** The longest a get_scheduled_flow_runs call waits for a run to become due. */
export const MAX_POLL_WAIT_MS = 30_000;

/** How many runs one dispatch pass reads from D1 at a time. */
export const DUE_PAGE = 50;
