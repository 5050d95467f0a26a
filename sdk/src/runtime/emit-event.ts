import { LOG_LEVELS } from "../../../protocol/logs";
import { clientConfig } from "../client/config";
import { EventShipper, type OutgoingEvent } from "../client/event-shipper";
import { ApiClient, backoffMs, checkApi, NotBatonApiError, RETRY_BRIEFLY } from "../client/http";
import { finishedWithin } from "../client/within";
import { printLocal } from "./console-capture";
import { currentRun } from "./context";
import { buildEvent, type EmitEventOptions } from "./event-build";
import { serverFoundAbsent } from "./server-absent";

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
 * The shipper of events emitted outside any run, made on first use. It first checks that the server
 * answers, as a flow run as a script does (one quick look at the default local URL; a configured one gets
 * a few tries, which a restart takes): none, and the events are forgotten (said once) rather than holding
 * the process at its exit; a script whose flow already found no server does not look again. A server that
 * answered and then goes away is retried: its events are sent when it is back, or when the process is
 * about to exit (for a while).
 */
function outsideShipper(): EventShipper {
  if (outside) return outside;
  const config = clientConfig();
  const client = new ApiClient(config);
  let answered = false;
  const shipper = new EventShipper(client, {
    maxQueue: MAX_WAITING,
    // The wait at exit is bounded below; retries alone must not keep a finished script alive.
    holdsProcess: false,
    onError: (e) => {
      // Before the server was seen, failures are the check's to report (as "not recorded", not "retrying").
      if (answered) warnOnce("retry", `sending events failed, retrying until the server takes them (${e instanceof Error ? e.message : String(e)})`);
    },
    onDrop: (_count, reason) => warnOnce(`drop-${reason}`, reason === "full" ? `${MAX_WAITING} events wait for the server; later ones are dropped` : "the server refused events as invalid; they are dropped"),
  });
  outside = shipper;
  const unrecorded = (why: string) => {
    shipper.discard();
    warnOnce("none", `${why}; events are not recorded. Start one with \`npx baton server start\` or set BATON_API_URL.`);
  };
  const absent = serverFoundAbsent();
  if (absent) unrecorded(absent);
  else {
    void lookForServer(client).then((error) => {
      if (!error) answered = true;
      else unrecorded(config.configured ? `the Baton server at ${config.apiUrl} did not answer (${error.message})` : `no Baton server answers at ${config.apiUrl}`);
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
 * Answers why the server is not there (undefined when it answers): one quick look at the default local
 * URL, a few tries at a configured one (flow-call.ts asks the same way before a script's flow run).
 */
async function lookForServer(client: ApiClient): Promise<Error | undefined> {
  const attempts = client.config.configured ? RETRY_BRIEFLY.attempts : 1;
  for (let attempt = 0; ; attempt++) {
    const check = await checkApi(client, 1500);
    if (check.answers) return undefined;
    // Something else answers there: asking again would not change that.
    if (attempt + 1 >= attempts || check.error instanceof NotBatonApiError) return check.error;
    await new Promise((r) => setTimeout(r, backoffMs(RETRY_BRIEFLY, attempt)));
  }
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
