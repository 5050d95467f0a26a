import { defineCommand } from "citty";
import pc from "picocolors";
import type { DeploymentFilter, DeploymentResponse } from "../../../../protocol/deployments";
import type { FlowRun } from "../../../../protocol/flow-runs";
import type { ApiClient } from "../../client/http";
import { out } from "../../output";
import { apiClient, deploymentByName } from "../api";
import { parseParams, positiveInt, repeated } from "../args";
import { CliError } from "../errors";
import { naming, paramFields } from "../flag-issues";
import { followRun } from "../follow";
import { details, localTime, npxBaton, printJson, scheduleText, stateText, table } from "../format";
import { currentPoolHint, scheduledRunHints } from "../pool-hint";
import { relatedDeploymentNames, triggerText } from "../triggers";
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
    const limit = positiveInt(args.limit, "--limit", 200)!;
    const deployments = byFlowThenName(await allDeployments(apiClient())).slice(0, limit);
    if (args.json) return printJson(deployments);
    const rows = deployments.map((d) => [fullName(d), d.work_pool_name, schedulesText(d), d.paused ? pc.yellow("paused") : pc.green("active"), localTime(d.updated)]);
    out.info(table(["NAME", "WORK POOL", "SCHEDULES", "STATUS", "UPDATED"], rows, `No deployments yet. Create one with \`${npxBaton("deploy")}\`.`));
  },
});

const PAGE = 200;

/** Every deployment, page by page: the API sorts by deployment name only, and the first page by flow name may hold any of them. */
async function allDeployments(client: ApiClient): Promise<DeploymentResponse[]> {
  const all: DeploymentResponse[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const filter: DeploymentFilter = { sort: "NAME_ASC", limit: PAGE, offset };
    const page = await client.post<DeploymentResponse[]>("/deployments/filter", filter);
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

/** As `prefect deployment ls` lists them: by flow name, then deployment name (a stable sort: ties keep the API's order). */
const byFlowThenName = (list: readonly DeploymentResponse[]): DeploymentResponse[] =>
  [...list].sort((a, b) => compare(a.flow_name, b.flow_name) || compare(a.name, b.name));
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const inspect = defineCommand({
  meta: { name: "baton deployment inspect", description: "Show a deployment" },
  args: { name, json },
  async run({ args }) {
    const client = apiClient();
    const d = await deploymentByName(client, args.name);
    if (args.json) return printJson(d);
    const names = await relatedDeploymentNames(client, d.triggers);
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
    const triggers = d.triggers.map((t) => [t.id, triggerText(t, names), Object.keys(t.parameters).length ? JSON.stringify(t.parameters) : "", t.enabled ? "yes" : "no"]);
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
    // A missing required parameter is refused at `parameters` itself: a --param to add.
    const fields = [{ path: "parameters", flag: "--param", exact: true }, ...paramFields(pairs, "parameters")];
    const created = await naming(fields, client.post<FlowRun>(`/deployments/${d.id}/create_flow_run`, { parameters }));
    if (!args.json) out.success(`Created flow run ${pc.bold(created.name)} of ${fullName(d)} ${pc.dim(`(${created.id})`)}`);
    if (!d.work_pool_name && !args.json) out.warn("This deployment has no work pool, so no worker will pick the run up.");
    if (!args.watch) {
      if (args.json) return printJson(created);
      // A run nobody will take waits forever: say why and what to do rather than let people wonder.
      const hint = d.work_pool_name ? await currentPoolHint(client, d.work_pool_name) : undefined;
      if (hint) out.warn(hint);
      return out.info(pc.dim(`  Follow it: ${npxBaton(`flow-run logs ${created.id} --follow`)}`));
    }
    // While it waits Scheduled, why (on stderr, so --json output stays JSON); said once, whenever it turns out.
    const onPoll = d.work_pool_name ? scheduledRunHints(client, d.work_pool_name) : undefined;
    const ended = await followRun(client, created.id, { logs: !args.json, states: !args.json, onPoll });
    if (args.json) printJson(ended);
    if (ended.state_type !== "COMPLETED") {
      const why = ended.state?.message ? `: ${ended.state.message}` : "";
      throw new CliError("E_RUN_NOT_COMPLETED", `Flow run ${ended.name} ended ${ended.state_name}${why}`);
    }
    if (!args.json) out.success(`Flow run ${pc.bold(ended.name)} ${stateText(ended.state_type, ended.state_name)}`);
  },
});

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
