import type { ApiClient } from "./api/client";

/** How often the dashboard asks whether the server is up. */
export const HEALTH_POLL_MS = 10_000;
/** A server that does not answer within this is as good as down for someone looking at the dashboard. */
export const HEALTH_TIMEOUT_MS = 5_000;

export type Health =
  | { kind: "checking" }
  | { kind: "connected"; version: string | undefined }
  | { kind: "unreachable"; reason: string };

/** Reads a GET /api/health body: `{"status":"ok","version":"0.1.0"}` means the server is up. */
export function healthFromBody(body: unknown): Health {
  if (typeof body === "object" && body !== null && "status" in body && body.status === "ok") {
    const version = "version" in body && typeof body.version === "string" ? body.version : undefined;
    return { kind: "connected", version };
  }
  return { kind: "unreachable", reason: `unexpected health answer: ${JSON.stringify(body)?.slice(0, 200)}` };
}

export function healthFromError(error: unknown): Health {
  return { kind: "unreachable", reason: error instanceof Error ? error.message : String(error) };
}

/** Never rejects: any failure to get a healthy answer is a status to show, not an error to handle. */
export async function checkHealth(client: Pick<ApiClient, "get">, timeoutMs = HEALTH_TIMEOUT_MS): Promise<Health> {
  try {
    return healthFromBody(await client.get<unknown>("/health", { signal: AbortSignal.timeout(timeoutMs) }));
  } catch (error) {
    return healthFromError(error);
  }
}

export function healthLabel(health: Health): string {
  switch (health.kind) {
    case "checking":
      return "Connecting…";
    case "connected":
      return "Connected";
    case "unreachable":
      return "Server unreachable";
  }
}

/** Longer text for a tooltip: the server version, or why it counts as unreachable. */
export function healthDescription(health: Health): string {
  switch (health.kind) {
    case "checking":
      return "Checking the Baton server";
    case "connected":
      return health.version ? `Baton server ${health.version}` : "Baton server";
    case "unreachable":
      return health.reason;
  }
}

/** How soon, and how many times, a check that disagrees with the live stream is made again. */
export const RECHECK_MS = 1_000;
export const RECHECKS = 5;

export interface HealthPollerDeps {
  check(): Promise<Health>;
  onHealth(health: Health): void;
  /**
   * Whether an answer disagrees with what the live stream says (up while it reconnects, down while it is
   * live): the socket can drop a moment before the server stops answering, so a check made at the drop
   * may still find it up. Such an answer is checked again soon, a few times.
   */
  disagrees?(health: Health): boolean;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

/**
 * Checks every HEALTH_POLL_MS, and at once when asked (`now`): the live stream dropping or coming back is
 * news about the server, so the sidebar's indicator asks then instead of lagging up to a poll behind the
 * page's Live indicator. One check at a time: a `now` during a check runs another right after it, so a
 * slow server never has checks piling up on it and the answer shown is never older than the request.
 */
export function createHealthPoller(deps: HealthPollerDeps, everyMs = HEALTH_POLL_MS) {
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let timer: unknown = null;
  let checking = false;
  let again = false;
  let stopped = false;
  let rechecks = 0;

  async function run() {
    if (timer !== null) clearTimer(timer);
    timer = null;
    checking = true;
    const health = await deps.check();
    checking = false;
    if (stopped) return;
    deps.onHealth(health);
    if (again) {
      again = false;
      return void run();
    }
    const soon = rechecks > 0 && deps.disagrees?.(health);
    rechecks = soon ? rechecks - 1 : 0;
    timer = setTimer(() => void run(), soon ? RECHECK_MS : everyMs);
  }

  return {
    /** Checks now (or right after the check on its way), then every HEALTH_POLL_MS again. */
    now(): void {
      if (stopped) return;
      rechecks = RECHECKS;
      if (checking) again = true;
      else void run();
    },
    stop(): void {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}
