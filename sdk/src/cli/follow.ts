import pc from "picocolors";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { Log, LogFilter } from "../../../protocol/logs";
import { isTerminal } from "../../../protocol/states";
import { HttpError, UnreachableError, type ApiClient } from "../client/http";
import { out } from "../output";
import { localTime, stateText } from "./format";
import { TaskNames } from "./task-names";

const PAGE = 1000;
/**
 * Lines are stamped by the process that wrote them and may reach the server late (batched, or resent
 * after an outage), so each poll looks this far behind the newest line seen, and ids drop the repeats.
 */
const LOOKBACK_MS = 30_000;

const LEVEL_NAMES: Record<number, string> = { 10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL" };

/**
 * One log line for people: local time to the millisecond, level, the task run that wrote it (when it is
 * a task's and `task` names it: a flow's lines and its tasks' interleave), message (later lines indented).
 */
export function logLine(log: Pick<Log, "timestamp" | "level" | "message">, task?: string): string {
  const time = localTime(log.timestamp).slice(11) + log.timestamp.slice(19, 23);
  const name = (LEVEL_NAMES[log.level] ?? `LEVEL ${log.level}`).padEnd(8);
  const level = log.level >= 40 ? pc.red(name) : log.level >= 30 ? pc.yellow(name) : log.level < 20 ? pc.dim(name) : pc.cyan(name);
  const who = task ? `${task} ${pc.dim("│")} ` : "";
  return `${pc.dim(time)} ${level} ${who}${log.message.replace(/\n/g, `\n${" ".repeat(22)}`)}`;
}

/** Every log line of a run stored after `after` (all when undefined), oldest first, page by page. */
export async function fetchLogs(client: ApiClient, flowRunId: string, after?: string): Promise<Log[]> {
  const logs: Log[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const filter: LogFilter = {
      logs: { flow_run_id: { any_: [flowRunId] }, ...(after ? { timestamp: { after_: after } } : {}) },
      sort: "TIMESTAMP_ASC",
      limit: PAGE,
      offset,
    };
    const page = await client.post<Log[]>("/logs/filter", filter);
    logs.push(...page);
    if (page.length < PAGE) return logs;
  }
}

export interface FollowOptions {
  /** Print each new log line (as JSON, one per line, with `json`). */
  logs: boolean;
  /** Print each change of state. */
  states: boolean;
  json?: boolean;
  intervalMs?: number;
  /** Called with the run at each poll until it ends (e.g. to say why it waits), in the background. */
  onPoll?: (run: FlowRun) => Promise<void> | void;
}

const serverAway = (e: unknown) => e instanceof UnreachableError || (e instanceof HttpError && (e.status >= 500 || e.status === 429));

/**
 * Polls a run (and its logs) until it ends, printing what is new, and answers the run as it ended. A
 * server that goes away meanwhile (restarting) is waited for: the run goes on without it.
 */
export async function followRun(client: ApiClient, flowRunId: string, options: FollowOptions): Promise<FlowRun> {
  const seen = new Set<string>();
  let newest: string | undefined;
  let shownState: string | undefined;
  let away = false;

  const tasks = new TaskNames(client, flowRunId);
  const printLogs = async (all: Log[]) => {
    const logs = all.filter((log) => !seen.has(log.id));
    if (!options.json) await tasks.learn(logs);
    for (const log of logs) {
      seen.add(log.id);
      if (!newest || log.timestamp > newest) newest = log.timestamp;
      console.log(options.json ? JSON.stringify(log) : logLine(log, tasks.nameOf(log.task_run_id)));
    }
  };
  const printState = (run: FlowRun) => {
    const key = `${run.state_type}/${run.state_name}`;
    if (!options.states || key === shownState) return;
    shownState = key;
    const message = run.state?.message ? pc.dim(` ${run.state.message}`) : "";
    out.step(`${pc.dim(localTime(run.state?.timestamp).slice(11))} ${stateText(run.state_type, run.state_name)}${message}`);
  };

  for (;;) {
    try {
      const run = await client.get<FlowRun>(`/flow_runs/${flowRunId}`);
      const ended = isTerminal(run.state_type);
      if (!ended) printState(run);
      // Not waited for: the logs fetched next must follow this read of the run closely, or a state is missed.
      if (!ended) void Promise.resolve(options.onPoll?.(run)).catch(() => {});
      if (options.logs) {
        // Logs are flushed before a run's final state is sent: once it has ended, one full pass has them all.
        const after = ended || !newest ? undefined : new Date(Date.parse(newest) - LOOKBACK_MS).toISOString();
        await printLogs(await fetchLogs(client, flowRunId, after));
      }
      if (away) out.step("The server answers again.");
      away = false;
      if (ended) {
        printState(run);
        return run;
      }
    } catch (error) {
      if (!serverAway(error)) throw error;
      if (!away) out.warn(`The server does not answer (${error instanceof Error ? error.message : String(error)}); still watching…`);
      away = true;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
