import type { DeploymentResponse } from "../../../protocol/deployments";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { WorkPool, Worker } from "../../../protocol/work-pools";
import { clientConfig } from "../client/config";
import { ApiClient, HttpError } from "../client/http";
import { runId, splitDeploymentName } from "./args";
import { CliError } from "./errors";
import { npxBaton } from "./format";

/** The client every command uses: BATON_API_URL and BATON_API_KEY from the environment. */
export const apiClient = (): ApiClient => new ApiClient(clientConfig());

/** Filters take at most 90 ids (D1 binds 100 parameters a statement), so long lists go in several requests. */
export async function byIds<T>(ids: string[], fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 90) chunks.push(ids.slice(i, i + 90));
  return (await Promise.all(chunks.map(fetch))).flat();
}

const segment = encodeURIComponent;

/** Turns the server's 404 into the CLI's own words: what was not found, and how to see what exists. */
async function orNotFound<T>(request: Promise<T>, notFound: () => CliError): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) throw notFound();
    throw error;
  }
}

/** A deployment by `flow/name`, with its schedules. */
export function deploymentByName(client: ApiClient, fullName: string): Promise<DeploymentResponse> {
  const { flow, name } = splitDeploymentName(fullName);
  return orNotFound(
    client.get<DeploymentResponse>(`/deployments/name/${segment(flow)}/${segment(name)}`),
    () => new CliError("E_DEPLOYMENT_NOT_FOUND", `Deployment ${flow}/${name} not found.`, { hint: `\`${npxBaton("deployment ls")}\` lists the deployments.` }),
  );
}

export function workPoolByName(client: ApiClient, name: string): Promise<WorkPool> {
  return orNotFound(
    client.get<WorkPool>(`/work_pools/${segment(name)}`),
    () => new CliError("E_POOL_NOT_FOUND", `Work pool ${name} not found.`, {
      hint: `\`${npxBaton("work-pool ls")}\` lists the pools; \`${npxBaton("work-pool create <name>")}\` makes one.`,
    }),
  );
}

/** Answers undefined when the pool does not exist. */
export async function findWorkPool(client: ApiClient, name: string): Promise<WorkPool | undefined> {
  return workPoolByName(client, name).catch((error: unknown) => {
    if (error instanceof CliError && error.code === "E_POOL_NOT_FOUND") return undefined;
    throw error;
  });
}

/** A flow run by its id, or by a start of it that only one run's id has (`8eab3003`). */
export async function flowRunById(client: ApiClient, given: string): Promise<FlowRun> {
  const wanted = runId(given);
  const hint = `\`${npxBaton("flow-run ls")}\` lists recent runs.`;
  if ("id" in wanted) {
    return orNotFound(client.get<FlowRun>(`/flow_runs/${wanted.id}`), () => new CliError("E_RUN_NOT_FOUND", `Flow run ${wanted.id} not found.`, { hint }));
  }
  const { prefix } = wanted;
  const found = await client.post<FlowRun[]>("/flow_runs/filter", { flow_runs: { id: { startswith_: prefix } }, sort: "EXPECTED_START_TIME_DESC", limit: AMBIGUOUS_SHOWN + 1 });
  // Checked here too: a server without the prefix filter ignores it and answers recent runs of any id.
  const matches = found.filter((r) => r.id.startsWith(prefix));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new CliError("E_RUN_NOT_FOUND", `No flow run id starts with ${prefix}.`, { hint });
  const listed = matches.slice(0, AMBIGUOUS_SHOWN).map((r) => `  ${r.id}  ${r.name}`);
  if (matches.length > AMBIGUOUS_SHOWN) listed.push("  …");
  throw new CliError("E_RUN_AMBIGUOUS", `${prefix} starts the ids of ${matches.length > AMBIGUOUS_SHOWN ? `more than ${AMBIGUOUS_SHOWN}` : matches.length} flow runs; give more of the id:\n${listed.join("\n")}`);
}

/** Runs listed when a short id matches several. */
const AMBIGUOUS_SHOWN = 10;

/** The pool's workers, optionally only those online. */
export function poolWorkers(client: ApiClient, pool: string, onlineOnly = false): Promise<Worker[]> {
  const filter = onlineOnly ? { workers: { status: { any_: ["ONLINE"] } } } : {};
  return client.post<Worker[]>(`/work_pools/${segment(pool)}/workers/filter`, filter);
}
