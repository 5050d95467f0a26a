import { defineCommand } from "citty";
import pc from "picocolors";
import type { DeploymentResponse } from "../../../../protocol/deployments";
import type { FlowRun, FlowRunFilter } from "../../../../protocol/flow-runs";
import type { DeploymentSchedule } from "../../../../protocol/schedules";
import type { ApiClient } from "../../client/http";
import { out } from "../../output";
import { apiClient, deploymentByName } from "../api";
import { scheduleFromFlags } from "../args";
import { CliError, UsageError } from "../errors";
import { naming, scheduleFields } from "../flag-issues";
import { localTime, npxBaton, printJson, relative, scheduleText, table } from "../format";

const name = { type: "positional", required: true, description: "The deployment, as <flow>/<deployment>", valueHint: "flow/deployment" } as const;
const scheduleId = { type: "positional", required: true, description: "The schedule's id (or its first characters), as `schedule ls` shows it", valueHint: "id" } as const;
const NEXT_SHOWN = 3;

/**
 * The next runs of one schedule, soonest first (a Late one first of all). The scheduler keys its runs
 * `scheduled:{deployment}:{schedule}:{slot}`, so the server is asked for that key prefix: one request
 * per schedule, since the deployment's first runs may all belong to a frequent schedule.
 */
async function nextRuns(client: ApiClient, deploymentId: string, scheduleId: string): Promise<string[]> {
  const prefix = `scheduled:${deploymentId}:${scheduleId}:`;
  const filter: FlowRunFilter = {
    deployments: { id: { any_: [deploymentId] } },
    flow_runs: { state: { type: { any_: ["SCHEDULED"] } }, idempotency_key: { startswith_: prefix } },
    sort: "EXPECTED_START_TIME_ASC",
    limit: NEXT_SHOWN,
    offset: 0,
  };
  const runs = await client.post<FlowRun[]>("/flow_runs/filter", filter);
  // Checked here too: a server without the prefix filter ignores it and answers the deployment's runs.
  return runs.flatMap((r) => (r.auto_scheduled && r.idempotency_key?.startsWith(prefix) && r.expected_start_time ? [r.expected_start_time] : []));
}

/** The next runs of each of the deployment's schedules, by schedule id. */
async function upcomingBySchedule(client: ApiClient, d: DeploymentResponse): Promise<Map<string, string[]>> {
  const lists = await Promise.all(d.schedules.map((s) => nextRuns(client, d.id, s.id)));
  return new Map(d.schedules.map((s, i) => [s.id, lists[i]!]));
}

const nextText = (times: string[] | undefined) =>
  times?.length ? times.slice(0, NEXT_SHOWN).map((t) => `${localTime(t)} (${relative(t)})`).join("\n") : "";

const create = defineCommand({
  meta: { name: "baton deployment schedule create", description: "Add a schedule to a deployment" },
  args: {
    name,
    interval: { type: "string", description: "Seconds between runs (60), or a duration (15m, 2h, 1d)", valueHint: "seconds" },
    cron: { type: "string", description: 'A cron expression, e.g. "0 9 * * *"', valueHint: "expr" },
    rrule: { type: "string", description: "An RFC 5545 recurrence rule, e.g. FREQ=DAILY;BYHOUR=9", valueHint: "rule" },
    timezone: { type: "string", description: "IANA time zone of --cron or --rrule (default UTC)", valueHint: "zone" },
    inactive: { type: "boolean", description: "Add it paused" },
    json: { type: "boolean", description: "Print the schedule as JSON" },
  },
  async run({ args }) {
    const definition = scheduleFromFlags(args);
    if (!definition) throw new UsageError("Say when: --interval, --cron or --rrule");
    const client = apiClient();
    const d = await deploymentByName(client, args.name);
    const [added] = await naming(scheduleFields(args, "0.schedule"), client.post<DeploymentSchedule[]>(`/deployments/${d.id}/schedules`, [{ schedule: definition, active: !args.inactive }]));
    if (args.json) return printJson(added);
    out.success(`Added schedule ${pc.bold(scheduleText(added!.schedule))} to ${d.flow_name}/${d.name} ${pc.dim(`(id ${added!.id})`)}`);
    if (d.paused) return out.warn(`The deployment is paused: its schedules create no runs until \`${npxBaton(`deployment resume ${d.flow_name}/${d.name}`)}\`.`);
    if (!args.inactive) {
      // The server plans the schedule's runs right after answering; give it a moment before showing them.
      for (let attempt = 0; attempt < 10; attempt++) {
        const next = await nextRuns(client, d.id, added!.id);
        if (next.length) return out.info(`  Next runs: ${next.slice(0, NEXT_SHOWN).map((t) => localTime(t)).join(", ")}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  },
});

const ls = defineCommand({
  meta: { name: "baton deployment schedule ls", description: "List a deployment's schedules and their next runs" },
  args: { name, json: { type: "boolean", description: "Print JSON instead of a table" } },
  async run({ args }) {
    const client = apiClient();
    const d = await deploymentByName(client, args.name);
    const upcoming = await upcomingBySchedule(client, d);
    if (args.json) return printJson(d.schedules.map((s) => ({ ...s, upcoming_runs: upcoming.get(s.id) ?? [] })));
    const rows = d.schedules.map((s) => [s.id, scheduleText(s.schedule), s.active ? pc.green("yes") : pc.yellow("no"), nextText(upcoming.get(s.id))]);
    out.info(table(["ID", "SCHEDULE", "ACTIVE", "NEXT RUNS"], rows, `No schedules. Add one: ${npxBaton(`deployment schedule create ${d.flow_name}/${d.name} --interval 60`)}`));
    if (d.paused) out.warn("The deployment is paused: its schedules create no runs.");
  },
});

/** A schedule of the deployment by its id or a unique start of it, as git takes commit ids. */
export function pickSchedule(d: DeploymentResponse, id: string): DeploymentSchedule {
  const wanted = id.trim().toLowerCase();
  const matches = wanted ? d.schedules.filter((s) => s.id.toLowerCase().startsWith(wanted)) : [];
  if (matches.length === 1) return matches[0]!;
  const hint = `\`${npxBaton(`deployment schedule ls ${d.flow_name}/${d.name}`)}\` shows the ids.`;
  if (matches.length > 1) throw new CliError("E_SCHEDULE_AMBIGUOUS", `${JSON.stringify(id)} matches ${matches.length} schedules of ${d.flow_name}/${d.name}; give more of the id.`, { hint });
  throw new CliError("E_SCHEDULE_NOT_FOUND", `Deployment ${d.flow_name}/${d.name} has no schedule ${JSON.stringify(id)}.`, { hint });
}

const change = (verb: "pause" | "resume" | "delete", description: string) =>
  defineCommand({
    meta: { name: `baton deployment schedule ${verb}`, description },
    args: { name, id: scheduleId },
    async run({ args }) {
      const client = apiClient();
      const d = await deploymentByName(client, args.name);
      const s = pickSchedule(d, args.id);
      const path = `/deployments/${d.id}/schedules/${s.id}`;
      if (verb === "delete") await client.delete(path);
      else await client.patch(path, { active: verb === "resume" });
      const done = { pause: "Paused", resume: "Resumed", delete: "Deleted" }[verb];
      out.success(`${done} schedule ${scheduleText(s.schedule)} of ${d.flow_name}/${d.name} ${pc.dim(`(id ${s.id})`)}`);
    },
  });

export const schedule = defineCommand({
  meta: { name: "baton deployment schedule", description: "Add, list, pause, resume and delete a deployment's schedules" },
  subCommands: {
    create,
    ls,
    pause: change("pause", "Pause a schedule (no new runs from it)"),
    resume: change("resume", "Resume a paused schedule"),
    delete: change("delete", "Delete a schedule (its upcoming runs go with it)"),
  },
});
