import { hostname } from "node:os";
import type { DeploymentResponse } from "../../../protocol/deployments";
import type { Flow as FlowRow } from "../../../protocol/flows";
import type { DeploymentScheduleCreate } from "../../../protocol/schedules";
import { ApiClient, checkApi, NotBatonApiError, RETRY_BRIEFLY } from "../client/http";
import { triggerText } from "../cli/triggers";
import { out, type Output } from "../output";
import { deploymentRetryFields } from "../runtime/retry-policy";
import type { Flow, ServeOptions } from "../runtime/types";
import { WorkerAgent } from "./agent";
import { inProcessExecutor } from "./in-process";
import { runUntilStopped } from "./lifecycle";
import { ensurePool } from "./pools";

/** The pool a served deployment gets to itself; pool names may not hold '/', '%', '\' or control characters. */
export function servePoolName(flowName: string, deploymentName: string): string {
  const clean = (s: string) => s.trim().replace(/[^\p{L}\p{N}._-]+/gu, "-").replace(/^-+|-+$/g, "");
  return `serve-${clean(flowName)}-${clean(deploymentName)}`.slice(0, 200);
}

/** The deployment's schedules: at most one of interval, cron and rrule. */
export function servedSchedules(options: Pick<ServeOptions, "interval" | "cron" | "rrule" | "timezone">): DeploymentScheduleCreate[] {
  const given = (["interval", "cron", "rrule"] as const).filter((key) => options[key] !== undefined);
  if (given.length > 1) throw new Error(`flow.serve() takes one schedule: give interval, cron or rrule, not ${given.join(" and ")}`);
  const timezone = options.timezone ?? null;
  const schedule =
    options.interval !== undefined
      ? { interval: options.interval, timezone: timezone ?? "UTC" }
      : options.cron !== undefined
        ? { cron: options.cron, timezone: timezone ?? "UTC", day_or: true }
        : options.rrule !== undefined
          ? { rrule: options.rrule, timezone }
          : undefined;
  if (!schedule) return [];
  return [{ schedule, active: true, max_scheduled_runs: null, catchup: "latest", parameters: {}, slug: null }];
}

/**
 * flow.serve(): creates or updates the flow, a pool of its own and the deployment (no entrypoint: only
 * this process can run it), then runs the deployment's runs in this process until stopped (Ctrl-C, or
 * `options.signal`) — stopping lets running runs finish, a second Ctrl-C cancels them.
 */
export async function serveFlow(flow: Flow, options: ServeOptions, say: Output = out): Promise<void> {
  const client = new ApiClient();
  const api = await checkApi(client);
  if (!api.answers) {
    // Something that is not the API answers there (a URL without /api): its error says where the API is.
    if (api.error instanceof NotBatonApiError) throw api.error;
    throw new Error(
      `flow.serve() needs a Baton server, and none answers at ${client.config.apiUrl}: start one with \`npx baton server start\`, or set BATON_API_URL.`,
    );
  }
  const schedules = servedSchedules(options);
  const flowRow = await client.post<FlowRow>("/flows/", { name: flow.name, tags: flow.options.tags ?? [] }, { retry: RETRY_BRIEFLY });
  const pool = servePoolName(flow.name, options.name);
  await ensurePool(client, pool, `Runs of ${flow.name}/${options.name}, served by flow.serve()`);
  const deployment = await client.post<DeploymentResponse>(
    "/deployments/",
    {
      name: options.name,
      flow_id: flowRow.id,
      description: flow.options.description ?? null,
      version: flow.options.version ?? null,
      entrypoint: null,
      path: null,
      work_pool_name: pool,
      parameters: options.parameters ?? {},
      parameter_openapi_schema: flow.parameterSchema(),
      ...deploymentRetryFields(`flow ${flow.name}`, flow.options),
      tags: options.tags ?? flow.options.tags ?? [],
      schedules,
      triggers: options.triggers ?? [],
    },
    { retry: RETRY_BRIEFLY },
  );

  const agent = new WorkerAgent({
    client,
    pool,
    name: `${hostname()}-${process.pid}`,
    limit: options.limit ?? 1,
    executor: inProcessExecutor(flow, deployment.id, client),
    out: say,
    labels: { served: `${flow.name}/${deployment.name}` },
  });
  await agent.start();
  say.success(`Serving ${flow.name}/${deployment.name} (deployment ${deployment.id}, pool ${pool})`);
  say.info(`  Run it:   npx baton deployment run ${flow.name}/${deployment.name}`);
  if (schedules.length > 0) say.info(`  Schedule: ${describeSchedule(schedules[0]!)}`);
  for (const trigger of deployment.triggers) say.info(`  Trigger:  ${triggerText(trigger)}`);
  say.info("  Stop:     Ctrl-C (running runs finish first)");
  await runUntilStopped(agent, say, options.signal);
  say.success(`Stopped serving ${flow.name}/${deployment.name}.`);
}

function describeSchedule({ schedule }: DeploymentScheduleCreate): string {
  if ("interval" in schedule) return `every ${schedule.interval} s`;
  if ("cron" in schedule) return `cron ${schedule.cron} (${schedule.timezone ?? "UTC"})`;
  return `rrule ${schedule.rrule}`;
}
