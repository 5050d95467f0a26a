import type { RunContext } from "./context";

const MAX_MESSAGE = 100_000;

/** Sends one log line of the current run to the server (nothing when the run is not recorded). */
export function emit(run: RunContext, level: number, message: string, name: string): void {
  run.flowRun.session.logs?.push({
    flow_run_id: run.flowRun.id,
    task_run_id: run.taskRun?.id ?? null,
    level,
    name,
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
    timestamp: new Date().toISOString(),
  });
}
