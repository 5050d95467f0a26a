import { createEffect, createSignal, on, onCleanup, Show } from "solid-js";
import { api } from "../api/client";
import { checkHealth, createHealthPoller, healthDescription, healthLabel, type Health } from "../health";
import { liveStatus } from "../live";

/**
 * Whether the Baton API answers, re-checked every HEALTH_POLL_MS while the dashboard is open, and at once
 * whenever the live stream's status changes (it dropped, or came back), so this and the page's Live
 * indicator agree within a moment.
 */
export function HealthIndicator() {
  const [health, setHealth] = createSignal<Health>({ kind: "checking" });
  const poller = createHealthPoller({
    check: () => checkHealth(api),
    onHealth: setHealth,
    disagrees: (h) => (h.kind === "connected") !== (liveStatus() === "live") && liveStatus() !== "idle" && liveStatus() !== "connecting",
  });
  poller.now();
  // News about the server: the stream dropped, or came back after a drop. Its first connect is not (the
  // check above covers it), and asking then would only compete with the page's first requests.
  createEffect(
    on(liveStatus, (status, previous) => {
      if (status === "reconnecting" || (status === "live" && previous === "reconnecting")) poller.now();
    }, { defer: true }),
  );
  onCleanup(poller.stop);

  const version = () => {
    const current = health();
    return current.kind === "connected" ? current.version : undefined;
  };

  return (
    <p class="health" data-health={health().kind} role="status" title={healthDescription(health())}>
      <span class="health-dot" aria-hidden="true" />
      <span>{healthLabel(health())}</span>
      <Show when={version()}>{(v) => <span class="health-version">v{v()}</span>}</Show>
    </p>
  );
}
