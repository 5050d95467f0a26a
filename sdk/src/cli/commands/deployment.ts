import { defineCommand } from "citty";
import pc from "picocolors";
import type { DeploymentFilter, DeploymentResponse } from "../../../../protocol/deployments";
import type { FlowRun } from "../../../../protocol/flow-runs";
import type { ApiClient } from "../../client/http";
import { out } from "../../output";
import { apiClient, deploymentByName, poolWorkers } from "../api";
import { parseParams, positiveInt, repeated } from "../args";
import { CliError } from "../errors";
import { followRun } from "../follow";
import { details, localTime, printJson, scheduleText, shellWord, stateText, table } from "../format";
import { triggerText } from "../triggers";
import { schedule } from "./deployment-schedule";

const json = { type: "boolean", description: "Print JSON instead of a table" } as const;
const name = { type: "positional", required: true, description: "The deployment, as <flow>/<deployment>", valueHint: "flow/deployment" } as const;

const fullName = (d: Pick<DeploymentResponse, "flow_name" | "name">) => `${d.flow_name}/${d.name}`;
const schedulesText = (d: DeploymentResponse) =>
  d.schedules.map((s) => (s.active ? scheduleText(s.schedule) : pc.dim(`${scheduleText(s.schedule)} (paused)`))).join(", ");

const ls = defineCommand({
  meta: { name: "baton deployment ls", description: "List deployments" },
  args: { json, limit: { type: "string", description: "At most this many", default: "200", valueHint: "n" } },
  async run({ args }) {
    const filter: DeploymentFilter = { sort: "NAME_ASC", limit: positiveInt(args.limit, "--limit", 200)!, offset: 0 };
    const deployments = await apiClient().post<DeploymentResponse[]>("/deployments/filter", filter);
    if (args.json) return printJson(deployments);
    const rows = deployments.map((d) => [fullName(d), d.work_pool_name, schedulesText(d), d.paused ? pc.yellow("paused") : pc.green("active"), localTime(d.updated)]);
    out.info(table(["NAME", "WORK POOL", "SCHEDULES", "STATUS", "UPDATED"], rows, "No deployments yet. Create one with `baton deploy`."));
  },
});

const inspect = defineCommand({
  meta: { name: "baton deployment inspect", description: "Show a deployment" },
  args: { name, json },
  async run({ args }) {
    const d = await deploymentByName(apiClient(), args.name);
    if (args.json) return printJson(d);
    out.info(
      details([
        ["Name", pc.bold(fullName(d))],
        ["Id", d.id],
        ["Status", d.paused ? pc.yellow("paused") : pc.green("active")],
        ["Work pool", d.work_pool_name],
        ["Entrypoint", d.entrypoint],
        ["Path", d.path],
        ["Parameters", Object.keys(d.parameters).length ? JSON.stringify(d.parameters) : ""],
        ["Tags", d.tags.join(", ")],
        ["Description", d.description],
        ["Created", localTime(d.created)],
        ["Updated", localTime(d.updated)],
      ]),
    );
    out.info("");
    out.info(table(["SCHEDULE ID", "SCHEDULE", "ACTIVE"], d.schedules.map((s) => [s.id, scheduleText(s.schedule), s.active ? "yes" : "no"]), "No schedules."));
    out.info("");
    const triggers = d.triggers.map((t) => [t.id, triggerText(t), Object.keys(t.parameters).length ? JSON.stringify(t.parameters) : "", t.enabled ? "yes" : "no"]);
    out.info(table(["TRIGGER ID", "WAITS FOR", "PARAMETERS", "ENABLED"], triggers, "No triggers."));
  },
});

const run = defineCommand({
  meta: { name: "baton deployment run", description: "Create a run of a deployment now" },
  args: {
    name,
    param: { type: "string", description: "A parameter as key=value (JSON when it is JSON, unless the flow takes text there); repeatable", valueHint: "key=value" },
    watch: { type: "boolean", description: "Follow the run's states and logs until it ends; exit 1 unless it completes" },
    json,
  },
  async run({ args, rawArgs }) {
    const pairs = repeated(rawArgs, "param");
    parseParams(pairs); // a malformed pair is a usage error whether or not the server answers
    const client = apiClient();
    const d = await deploymentByName(client, args.name);
    const parameters = parseParams(pairs, d.parameter_openapi_schema);
    const created = await client.post<FlowRun>(`/deployments/${d.id}/create_flow_run`, { parameters });
    if (!args.json) {
      out.success(`Created flow run ${pc.bold(created.name)} of ${fullName(d)} ${pc.dim(`(${created.id})`)}`);
      await warnWithoutWorkers(client, d);
    }
    if (!args.watch) {
      if (args.json) return printJson(created);
      return out.info(pc.dim(`  Follow it: baton flow-run logs ${created.id} --follow`));
    }
    const ended = await followRun(client, created.id, { logs: !args.json, states: !args.json });
    if (args.json) printJson(ended);
    if (ended.state_type !== "COMPLETED") {
      const why = ended.state?.message ? `: ${ended.state.message}` : "";
      throw new CliError("E_RUN_NOT_COMPLETED", `Flow run ${ended.name} ended ${ended.state_name}${why}`);
    }
    if (!args.json) out.success(`Flow run ${pc.bold(ended.name)} ${stateText(ended.state_type, ended.state_name)}`);
  },
});

/** A run of a pool nobody serves waits forever; say so rather than let people wonder. */
async function warnWithoutWorkers(client: ApiClient, d: DeploymentResponse): Promise<void> {
  if (!d.work_pool_name) return out.warn("This deployment has no work pool, so no worker will pick the run up.");
  const online = await poolWorkers(client, d.work_pool_name, true).catch(() => undefined);
  if (online?.length === 0) out.warn(`No worker is online in pool ${d.work_pool_name}. Start one: baton worker start --pool ${shellWord(d.work_pool_name)}`);
}

const toggle = (paused: boolean) =>
  defineCommand({
    meta: { name: `baton deployment ${paused ? "pause" : "resume"}`, description: paused ? "Pause a deployment: no new scheduled runs" : "Resume a paused deployment" },
    args: { name },
    async run({ args }) {
      const client = apiClient();
      const d = await deploymentByName(client, args.name);
      await client.post(`/deployments/${d.id}/${paused ? "pause_deployment" : "resume_deployment"}`);
      out.success(`${paused ? "Paused" : "Resumed"} deployment ${fullName(d)}`);
    },
  });

const remove = defineCommand({
  meta: { name: "baton deployment delete", description: "Delete a deployment (its runs stay, unlinked)" },
  args: { name },
  async run({ args }) {
    const client = apiClient();
    const d = await deploymentByName(client, args.name);
    await client.delete(`/deployments/${d.id}`);
    out.success(`Deleted deployment ${fullName(d)}`);
  },
});

export const deployment = defineCommand({
  meta: { name: "baton deployment", description: "List, inspect, run, pause, resume and delete deployments; manage their schedules" },
  subCommands: { ls, inspect, run, pause: toggle(true), resume: toggle(false), delete: remove, schedule },
});
