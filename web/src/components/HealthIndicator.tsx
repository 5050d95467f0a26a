import { createSignal, onCleanup, Show } from "solid-js";
import { api } from "../api/client";
import { checkHealth, healthDescription, healthLabel, HEALTH_POLL_MS, type Health } from "../health";

/** Whether the Baton API answers, re-checked every HEALTH_POLL_MS while the dashboard is open. */
export function HealthIndicator() {
  const [health, setHealth] = createSignal<Health>({ kind: "checking" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  // The next check is scheduled only once the previous one has settled, so a slow server never has
  // several checks piling up on it.
  async function poll() {
    const next = await checkHealth(api);
    if (disposed) return;
    setHealth(next);
    timer = setTimeout(poll, HEALTH_POLL_MS);
  }
  void poll();
  onCleanup(() => {
    disposed = true;
    clearTimeout(timer);
  });

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
