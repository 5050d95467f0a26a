import * as p from "@clack/prompts";
import { defineCommand } from "citty";
import pc from "picocolors";
import { checkApi, NotBatonApiError } from "../../client/http";
import { out } from "../../output";
import { apiClient } from "../api";
import { parseParams, repeated, scheduleFromFlags } from "../args";
import { deploy as register, type Deployed } from "../deployer";
import { loadEntrypoint } from "../entrypoint";
import { CliError, UsageError } from "../errors";
import { naming, paramFields, scheduleFields } from "../flag-issues";
import { details, npxBaton, printJson, scheduleText, shellWord } from "../format";
import { relatedDeploymentNames, triggerFields, triggersFromFlags, triggerText } from "../triggers";
import { askName, askSchedule, pickFlow, pickPool } from "./deploy-prompts";

export const deploy = defineCommand({
  meta: {
    name: "baton deploy",
    description: "Create or update a deployment of a flow (in a terminal, asks for what the flags leave out)",
  },
  args: {
    entrypoint: { type: "positional", required: false, description: "The flow, as path/to/file.ts:exportName (relative to this directory)", valueHint: "file:export" },
    name: { type: "string", description: "The deployment's name", valueHint: "name" },
    pool: { type: "string", description: "The work pool whose workers run it", valueHint: "pool" },
    "create-pool": { type: "boolean", description: "Create the work pool if it does not exist" },
    interval: { type: "string", description: "Run every N seconds (or 15m, 2h, 1d); replaces the deployment's schedules", valueHint: "seconds" },
    cron: { type: "string", description: 'Run on a cron schedule, e.g. "0 9 * * *"; replaces the deployment\'s schedules', valueHint: "expr" },
    timezone: { type: "string", description: "IANA time zone of --cron or --rrule (default UTC)", valueHint: "zone" },
    rrule: { type: "string", description: "Run on an RFC 5545 recurrence rule; replaces the deployment's schedules", valueHint: "rule" },
    param: { type: "string", description: "A default parameter as key=value (JSON when it is JSON, unless the flow takes text there); repeatable", valueHint: "key=value" },
    tag: { type: "string", description: "A tag for the deployment and its runs; repeatable", valueHint: "tag" },
    trigger: {
      type: "string",
      description: 'Start a run on a matching event: a name (file.created; * = anything) or a trigger as JSON ({"expect":[…],"threshold":3,"within":60}); repeatable; replaces the triggers',
      valueHint: "event|json",
    },
    "trigger-param": {
      type: "string",
      description: "A parameter of the runs the triggers start, from the event: 'file={{ event.payload.path }}'; repeatable",
      valueHint: "key=template",
    },
    after: {
      type: "string",
      description: "Start a run after each run of that deployment ends in STATE (default Completed; * = any); repeatable",
      valueHint: "flow/deployment[:state]",
    },
    "clear-triggers": { type: "boolean", description: "Remove the deployment's triggers" },
    json: { type: "boolean", description: "Print the deployment as JSON (never asks)" },
  },
  async run({ args, rawArgs }) {
    const projectDir = process.cwd();
    const schedule = scheduleFromFlags(args);
    const pairs = repeated(rawArgs, "param");
    parseParams(pairs); // a malformed pair is a usage error before anything is imported or asked
    const tags = repeated(rawArgs, "tag");
    const triggerFlags = {
      triggers: repeated(rawArgs, "trigger"),
      params: repeated(rawArgs, "trigger-param"),
      after: repeated(rawArgs, "after"),
      clear: !!args["clear-triggers"],
    };
    const triggersFor = triggersFromFlags(triggerFlags);
    const interactive = !args.json && !!process.stdin.isTTY && !!process.stdout.isTTY;
    if (!args.entrypoint && !interactive) {
      throw new UsageError("Give the flow to deploy as path/to/file.ts:exportName", `Or run \`${npxBaton("deploy")}\` in a terminal to pick it from a list.`);
    }
    if (!interactive && (!args.name || !args.pool)) {
      throw new UsageError(`Give ${[!args.name && "--name", !args.pool && "--pool"].filter(Boolean).join(" and ")}`, "Outside a terminal nothing is asked.");
    }
    const client = apiClient();
    const found = args.entrypoint ? await loadEntrypoint(projectDir, args.entrypoint) : undefined;
    if (interactive) {
      // Before any question: answers given to a server that is not there would be lost.
      const api = await checkApi(client);
      if (!api.answers && api.error instanceof NotBatonApiError) throw api.error;
      if (!api.answers) {
        throw new CliError("E_UNREACHABLE", `Cannot reach the Baton server at ${client.config.apiUrl}.`, {
          hint: `Start one with \`${npxBaton("server start")}\`, or set BATON_API_URL to where it runs.`,
        });
      }
      p.intro(pc.inverse(" baton deploy "));
    }
    const flow = found ?? (await pickFlow(projectDir));
    const pool = args.pool ? { name: args.pool, create: !!args["create-pool"] } : await pickPool(client);
    const name = args.name ?? (await askName(flow.flow.name));
    // The schedule question belongs to the fully guided path; by flags, no flag means no change.
    const chosen = schedule ?? (found ? undefined : await askSchedule());
    const parameters = parseParams(pairs, flow.flow.parameterSchema());
    const triggers = await triggersFor(client);
    // The server's refusals name the flags that filled the refused fields (a schedule picked in the prompts came from none).
    const fields = [...(schedule ? scheduleFields(args, "schedules.0.schedule") : []), ...paramFields(pairs, "parameters"), ...triggerFields(triggerFlags)];
    const deployed = await naming(fields, register(client, { found: flow, path: projectDir, name, pool: pool.name, createPool: pool.create, schedule: chosen, parameters, tags, triggers }));
    if (args.json) return printJson(deployed.deployment);
    report(deployed, await relatedDeploymentNames(client, deployed.deployment.triggers), interactive);
  },
});

/** One row per trigger, the first labelled. */
function triggerRows(d: Deployed["deployment"], names: ReadonlyMap<string, string>): [string, string][] {
  const lines = d.triggers.map((t) => `${triggerText(t, names)}${Object.keys(t.parameters).length ? ` → ${JSON.stringify(t.parameters)}` : ""}${t.enabled ? "" : " (disabled)"}`);
  return lines.length === 0 ? [["Triggers", ""]] : lines.map((line, i) => [i === 0 ? "Triggers" : "", line]);
}

function report({ deployment: d, created, poolCreated }: Deployed, names: ReadonlyMap<string, string>, interactive: boolean): void {
  const fullName = `${d.flow_name}/${d.name}`;
  const summary = details([
    ["Entrypoint", d.entrypoint],
    ["Path", d.path],
    ["Work pool", `${d.work_pool_name}${poolCreated ? pc.dim(" (created)") : ""}`],
    ["Schedules", d.schedules.map((s) => scheduleText(s.schedule)).join(", ") || pc.dim("none (runs on demand)")],
    ["Parameters", Object.keys(d.parameters).length ? JSON.stringify(d.parameters) : ""],
    ...triggerRows(d, names),
  ]);
  const steps = [
    `Start a worker that runs it:  ${pc.bold(npxBaton(`worker start --pool ${shellWord(d.work_pool_name ?? "")}`))}`,
    `Run it now:                   ${pc.bold(npxBaton(`deployment run ${shellWord(fullName)}`))}`,
  ].join("\n");
  const headline = `${created ? "Created" : "Updated"} deployment ${pc.bold(fullName)}`;
  if (interactive) {
    p.log.success(`${headline}\n${summary}`);
    p.note(steps, "Next steps");
    p.outro("Deployed.");
    return;
  }
  out.success(headline);
  out.info(summary.replace(/^/gm, "  "));
  out.info(`\nNext steps:\n${steps.replace(/^/gm, "  ")}`);
}
