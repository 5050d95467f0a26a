import { LOG_LEVELS } from "../../../protocol/logs";
import { clientConfig } from "../client/config";
import { EventShipper, type OutgoingEvent } from "../client/event-shipper";
import { ApiClient, serverAnswers } from "../client/http";
import { finishedWithin } from "../client/within";
import { printLocal } from "./console-capture";
import { currentRun } from "./context";
import { buildEvent, type EmitEventOptions } from "./event-build";

export type { EmitEventOptions };
/** The event as it was sent (or would have been, without a server): its id, time, resource and payload. */
export type EmittedEvent = OutgoingEvent;

/** Events emitted outside any run wait here while the server is away; past it they are dropped (and said so). */
const MAX_WAITING = 10_000;
/** How long a process that exits waits for its last events when a server is configured. */
const EXIT_FLUSH_MS = 10_000;

let outside: EventShipper | undefined;

const warned = new Set<string>();
function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  printLocal(LOG_LEVELS.WARNING, `Baton: ${message}`);
}

/**
 * The shipper of events emitted outside any run, made on first use. Without BATON_API_URL it first checks
 * that the local server answers, as a flow run as a script does: none, and the events are forgotten (said
 * once) rather than holding the process at its exit. It sends what is left when the process is about to exit.
 */
function outsideShipper(): EventShipper {
  if (outside) return outside;
  const config = clientConfig();
  const client = new ApiClient(config);
  const shipper = new EventShipper(client, {
    maxQueue: MAX_WAITING,
    // The wait at exit is bounded below; retries alone must not keep a finished script alive.
    holdsProcess: false,
    onError: (e) => {
      if (config.configured) warnOnce("retry", `sending events failed, retrying until the server takes them (${e instanceof Error ? e.message : String(e)})`);
    },
    onDrop: (_count, reason) => warnOnce(`drop-${reason}`, reason === "full" ? `${MAX_WAITING} events wait for the server; later ones are dropped` : "the server refused events as invalid; they are dropped"),
  });
  outside = shipper;
  if (!config.configured) {
    void serverAnswers(client).then((answers) => {
      if (answers) return;
      shipper.discard();
      warnOnce("none", `no Baton server answers at ${config.apiUrl}; events are not recorded. Start one with \`npx baton server start\` or set BATON_API_URL.`);
    });
  }
  let exiting = false;
  process.on("beforeExit", () => {
    if (exiting || shipper.pending === 0) return;
    exiting = true;
    const timeoutMs = config.configured ? EXIT_FLUSH_MS : 1500;
    // Keeps the process alive while it flushes (the shipper's own timers do not).
    const keeper = setTimeout(() => {}, timeoutMs + 1000);
    void shipper.close(timeoutMs).then((lost) => {
      clearTimeout(keeper);
      exiting = false;
      if (lost > 0) warnOnce("lost", `the server did not take ${lost} event${lost === 1 ? "" : "s"}; they are lost`);
    });
  });
  return shipper;
}

/**
 * Emits an event: `emitEvent("order.shipped", { resource: "shop.order.42", payload: { carrier: "ups" } })`.
 * Inside a flow or task run it is sent with the run's logs (batched, retried while the server is away,
 * all sent before the run's final state) and is about the run unless `resource` says otherwise; outside a
 * run it is about this machine unless `resource` says otherwise, and is sent in the background (before the
 * process exits; `await flushEvents()` to wait). Deployment triggers can start runs on it.
 * Throws a TypeError at once for a name, resource or payload the server would refuse.
 */
export function emitEvent(name: string, options: EmitEventOptions = {}): EmittedEvent {
  const run = currentRun();
  const event = buildEvent(name, options, run);
  // A run without a server records nothing, its events included.
  if (run) run.flowRun.session.events?.push(event);
  else outsideShipper().push(event);
  return event;
}

/**
 * Waits until the server has the events emitted outside runs so far (at most `timeoutMs`); answers how
 * many still wait (they are kept and still sent: the wait only ends sooner).
 */
export async function flushEvents(timeoutMs = EXIT_FLUSH_MS): Promise<number> {
  if (!outside) return 0;
  await finishedWithin(outside.flush(), timeoutMs);
  return outside.pending;
}
