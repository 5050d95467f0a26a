import { defineCommand } from "citty";
import pc from "picocolors";
import type { FlowRun, FlowRunFilter } from "../../../../protocol/flow-runs";
import { isTerminal, type OrchestrationResult, type State } from "../../../../protocol/states";
import { HttpError } from "../../client/http";
import { out } from "../../output";
import { apiClient, deploymentByName, flowRunById } from "../api";
import { positiveInt } from "../args";
import { CliError } from "../errors";
import { fetchLogs, followRun, logLine } from "../follow";
import { TaskNames } from "../task-names";
import { details, duration, localTime, npxBaton, printJson, stateText, table } from "../format";
import { currentPoolHint } from "../pool-hint";
import { mergeRuns, runOwners, stateFilters } from "./flow-run-lookup";

const id = { type: "positional", required: true, description: "The flow run's id", valueHint: "id" } as const;
const json = { type: "boolean", description: "Print JSON instead of text" } as const;

/** Time spent running so far: the stored total, plus the current attempt while it runs. */
function runTime(run: FlowRun, now = Date.now()): number {
  const current = run.state_type === "RUNNING" && run.start_time ? (now - Date.parse(run.start_time)) / 1000 : 0;
  return run.total_run_time + Math.max(0, current);
}

const ls = defineCommand({
  meta: { name: "baton flow-run ls", description: "List recent flow runs, newest first" },
  args: {
    state: { type: "string", description: "Only runs in these states: types or names, comma-separated (failed,crashed,late)", valueHint: "states" },
    deployment: { type: "string", description: "Only runs of this deployment", valueHint: "flow/deployment" },
    limit: { type: "string", description: "At most this many", default: "20", valueHint: "n" },
    json,
  },
  async run({ args }) {
    const client = apiClient();
    const limit = positiveInt(args.limit, "--limit", 200)!;
    const states = args.state ? stateFilters(args.state) : [undefined];
    const filter: FlowRunFilter = { sort: "EXPECTED_START_TIME_DESC", limit, offset: 0 };
    if (args.deployment) filter.deployments = { id: { any_: [(await deploymentByName(client, args.deployment)).id] } };
    // A mix of state types and names is two filters (stateFilters): asked apart, merged in the API's order.
    const lists = await Promise.all(states.map((state) => client.post<FlowRun[]>("/flow_runs/filter", state ? { ...filter, flow_runs: { state } } : filter)));
    const runs = lists.length === 1 ? lists[0]! : mergeRuns(lists, limit);
    if (args.json) return printJson(runs);
    const owners = await runOwners(client, runs);
    const rows = runs.map((r) => [
      r.id,
      r.name,
      owners.get(r.id),
      stateText(r.state_type, r.state_name),
      localTime(r.start_time ?? r.expected_start_time),
      r.start_time ? duration(runTime(r)) : "",
    ]);
    out.info(table(["ID", "NAME", "FLOW / DEPLOYMENT", "STATE", "START", "RUN TIME"], rows, "No flow runs."));
  },
});

const inspect = defineCommand({
  meta: { name: "baton flow-run inspect", description: "Show a flow run and its state history" },
  args: { id, json },
  async run({ args }) {
    const client = apiClient();
    const run = await flowRunById(client, args.id);
    if (args.json) return printJson(run);
    const [owners, history] = await Promise.all([runOwners(client, [run]), client.get<State[]>(`/flow_runs/${run.id}/states`)]);
    out.info(
      details([
        ["Name", pc.bold(run.name)],
        ["Id", run.id],
        ["Flow / deployment", owners.get(run.id)],
        ["State", `${stateText(run.state_type, run.state_name)}${run.state?.message ? pc.dim(` ${run.state.message}`) : ""}`],
        ["Work pool", run.work_pool_name],
        ["Parameters", JSON.stringify(run.parameters)],
        ["Expected start", localTime(run.expected_start_time)],
        ["Started", localTime(run.start_time)],
        ["Ended", localTime(run.end_time)],
        ["Run time", run.start_time ? duration(runTime(run)) : ""],
        ["Attempts", run.run_count],
        ["Tags", run.tags.join(", ")],
      ]),
    );
    out.info("");
    out.info(table(["TIME", "STATE", "MESSAGE"], history.map((s) => [localTime(s.timestamp), stateText(s.type, s.name), s.message])));
  },
});

const cancel = defineCommand({
  meta: { name: "baton flow-run cancel", description: "Cancel a flow run (its worker kills the run's processes)" },
  args: { id },
  async run({ args }) {
    const client = apiClient();
    const run = await flowRunById(client, args.id);
    const result = await client.post<OrchestrationResult>(`/flow_runs/${run.id}/cancel`).catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 409) {
        throw new CliError("E_NOT_CANCELLABLE", `Flow run ${run.name} cannot be cancelled: it is ${run.state_name}.`);
      }
      throw error;
    });
    const state = result.state!;
    out.success(`Flow run ${pc.bold(run.name)} is ${stateText(state.type, state.name)}${state.type === "CANCELLING" ? " (its worker is stopping it)" : ""}`);
  },
});

const retry = defineCommand({
  meta: { name: "baton flow-run retry", description: "Run a finished flow run of a deployment again" },
  args: { id },
  async run({ args }) {
    const client = apiClient();
    const run = await flowRunById(client, args.id);
    if (!isTerminal(run.state_type)) {
      throw new CliError("E_RUN_NOT_FINISHED", `Flow run ${run.name} is ${run.state_name}; only finished runs can be retried.`, {
        hint: `Cancel it first: ${npxBaton(`flow-run cancel ${run.id}`)}`,
      });
    }
    if (!run.deployment_id) {
      throw new CliError("E_NOT_DEPLOYED", `Flow run ${run.name} was not run by a deployment, so no worker can run it again.`, {
        hint: "Run its script again instead.",
      });
    }
    // Forced, since finished runs stay finished otherwise; a plain "Scheduled" state releases the old claim.
    const now = new Date().toISOString();
    const state = { type: "SCHEDULED", name: "Scheduled", message: "retried from the CLI", state_details: { scheduled_time: now } };
    await client.post<OrchestrationResult>(`/flow_runs/${run.id}/set_state`, { state, force: true });
    out.success(`Flow run ${pc.bold(run.name)} is scheduled again.`);
    const hint = run.work_pool_name ? await currentPoolHint(client, run.work_pool_name) : undefined;
    if (hint) out.warn(hint);
  },
});

const logs = defineCommand({
  meta: { name: "baton flow-run logs", description: "Print a flow run's logs" },
  args: { id, follow: { type: "boolean", alias: "f", description: "Keep printing new lines until the run ends" }, json },
  async run({ args }) {
    const client = apiClient();
    const run = await flowRunById(client, args.id);
    if (args.follow) {
      await followRun(client, run.id, { logs: true, states: false, json: args.json });
      return;
    }
    const lines = await fetchLogs(client, run.id);
    if (args.json) return printJson(lines);
    const tasks = new TaskNames(client, run.id);
    await tasks.learn(lines);
    for (const line of lines) console.log(logLine(line, tasks.nameOf(line.task_run_id)));
    if (lines.length === 0) out.info(pc.dim(`No logs yet (the run is ${run.state_name}).`));
  },
});

export const flowRun = defineCommand({
  meta: { name: "baton flow-run", description: "List, inspect, cancel and retry flow runs; print their logs" },
  subCommands: { ls, inspect, cancel, retry, logs },
});
