import type { ApiClient } from "../client/http";
import { EventShipper } from "../client/event-shipper";
import { LogShipper } from "../client/log-shipper";
import { printLocal } from "./console-capture";
import { TaskRunReporter } from "./reporter";
import { LOG_LEVELS } from "../../../protocol/logs";
import { finishedWithin } from "../client/within";

/**
 * What the runs of one top-level call (a flow run as a script, or one deployed run) report through: the
 * API client, the batched task-run reports and the log shipper. Subflows share their parent's session.
 * A session without a client records nothing: the flow runs all the same.
 */
export interface Session {
  client: ApiClient | undefined;
  reporter: TaskRunReporter | undefined;
  logs: LogShipper | undefined;
  /** Events the run's code emits (emitEvent), sent like its logs. */
  events: EventShipper | undefined;
  /**
   * Print captured lines and the SDK's log lines here too. Not in a worker's child process: the worker
   * ships whatever the child prints as logs of the run, which would store those lines twice.
   */
  echo: boolean;
  /** Flow ids by flow name, for subflows. */
  flowIds: Map<string, Promise<string>>;
  /**
   * The run whose logs take the session's own notices when nothing is echoed (a worker's child): the
   * worker stores what the child prints on stderr as ERROR lines, and a notice such as "sending logs
   * failed, retrying" is a warning (nothing in the run failed), so it goes to the run's logs as one.
   */
  noticesTo: string | undefined;
  warnOnce(key: string, message: string): void;
}

/** How long a run's end waits for the server to take its buffered reports before it gives up on them. */
export const FLUSH_TIMEOUT_MS = 120_000;

export function openSession(client: ApiClient | undefined, echo: boolean): Session {
  const warned = new Set<string>();
  const session: Session = {
    client,
    reporter: undefined,
    logs: undefined,
    events: undefined,
    echo,
    flowIds: new Map(),
    noticesTo: undefined,
    warnOnce(key, message) {
      if (warned.has(key)) return;
      warned.add(key);
      const text = `Baton: ${message}`;
      const run = echo ? undefined : session.noticesTo;
      // Queued like any line, so it reaches the server once the server is back.
      if (run && session.logs?.push({ flow_run_id: run, level: LOG_LEVELS.WARNING, name: "baton", message: text, timestamp: new Date().toISOString() })) return;
      printLocal(LOG_LEVELS.WARNING, text);
    },
  };
  if (client) {
    const retrying = (what: string) => (e: unknown) =>
      session.warnOnce(what, `sending ${what} failed, retrying until the server takes them (${e instanceof Error ? e.message : String(e)})`);
    session.reporter = new TaskRunReporter(client, retrying("task run reports"));
    session.logs = new LogShipper(client, retrying("logs"));
    session.events = new EventShipper(client, { onError: retrying("events") });
  }
  return session;
}

/** Waits until the server has every task-run report, log line and event made so far (bounded: see FLUSH_TIMEOUT_MS). */
export async function flushSession(session: Session, timeoutMs = FLUSH_TIMEOUT_MS): Promise<void> {
  await finishedWithin(Promise.all([session.reporter?.flush(), session.logs?.flush(), session.events?.flush()]), timeoutMs);
}

/** Sends what is left and says what could not be sent. */
export async function closeSession(session: Session, timeoutMs = 10_000): Promise<void> {
  // Nothing is sent after this: what is said from here on is printed.
  session.noticesTo = undefined;
  const [reports, lines, events] = await Promise.all([
    session.reporter?.close(timeoutMs) ?? 0,
    session.logs?.close(timeoutMs) ?? 0,
    session.events?.close(timeoutMs) ?? 0,
  ]);
  if (reports + lines + events > 0) {
    session.warnOnce("lost", `the server did not take ${reports} task run reports, ${lines} log lines and ${events} events; they are lost`);
  }
}
