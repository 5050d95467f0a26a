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
