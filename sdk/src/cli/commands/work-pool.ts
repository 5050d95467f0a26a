import { defineCommand } from "citty";
import pc from "picocolors";
import type { WorkPool, WorkPoolStatus } from "../../../../protocol/work-pools";
import { HttpError } from "../../client/http";
import { out } from "../../output";
import { apiClient, poolWorkers, workPoolByName } from "../api";
import { positiveInt } from "../args";
import { CliError } from "../errors";
import { details, localTime, npxBaton, printJson, relative, shellWord, table } from "../format";

const name = { type: "positional", required: true, description: "The work pool's name", valueHint: "name" } as const;
const json = { type: "boolean", description: "Print JSON instead of text" } as const;
const path = (pool: string) => `/work_pools/${encodeURIComponent(pool)}`;

const STATUS_COLOURS: Record<WorkPoolStatus, (s: string) => string> = { READY: pc.green, NOT_READY: pc.yellow, PAUSED: pc.gray };
const statusText = (status: WorkPoolStatus) => STATUS_COLOURS[status](status.toLowerCase().replace("_", " "));

const create = defineCommand({
  meta: { name: "baton work-pool create", description: "Create a work pool that workers serve" },
  args: {
    name,
    description: { type: "string", description: "What the pool is for", valueHint: "text" },
    "concurrency-limit": { type: "string", description: "At most this many runs of the pool at once", valueHint: "n" },
    paused: { type: "boolean", description: "Create it paused" },
    json,
  },
  async run({ args }) {
    const body = {
      name: args.name,
      description: args.description ?? null,
      is_paused: !!args.paused,
      concurrency_limit: positiveInt(args["concurrency-limit"], "--concurrency-limit", 100_000) ?? null,
    };
    const pool = await apiClient()
      .post<WorkPool>("/work_pools/", body)
      .catch((error: unknown) => {
        if (error instanceof HttpError && error.status === 409) throw new CliError("E_POOL_EXISTS", `Work pool ${args.name} already exists.`);
        throw error;
      });
    if (args.json) return printJson(pool);
    out.success(`Created work pool ${pc.bold(pool.name)}`);
    out.info(pc.dim(`  Serve it: ${npxBaton(`worker start --pool ${shellWord(pool.name)}`)}`));
  },
});

const ls = defineCommand({
  meta: { name: "baton work-pool ls", description: "List work pools with their status and workers online" },
  args: { json },
  async run({ args }) {
    const client = apiClient();
    const pools = await client.post<WorkPool[]>("/work_pools/filter", { limit: 200 });
    const online = await Promise.all(pools.map((p) => poolWorkers(client, p.name, true).then((w) => w.length)));
    if (args.json) return printJson(pools.map((p, i) => ({ ...p, workers_online: online[i] })));
    const rows = pools.map((p, i) => [p.name, p.type, statusText(p.status), online[i], p.concurrency_limit ?? "", p.description]);
    out.info(table(["NAME", "TYPE", "STATUS", "WORKERS ONLINE", "CONCURRENCY", "DESCRIPTION"], rows, `No work pools yet. Create one: ${npxBaton("work-pool create <name>")}`));
  },
});

const inspect = defineCommand({
  meta: { name: "baton work-pool inspect", description: "Show a work pool and its workers" },
  args: { name, json },
  async run({ args }) {
    const client = apiClient();
    const pool = await workPoolByName(client, args.name);
    const workers = await poolWorkers(client, pool.name);
    if (args.json) return printJson({ ...pool, workers });
    out.info(
      details([
        ["Name", pc.bold(pool.name)],
        ["Id", pool.id],
        ["Type", pool.type],
        ["Status", statusText(pool.status)],
        ["Concurrency", pool.concurrency_limit ?? "unlimited"],
        ["Description", pool.description],
        ["Created", localTime(pool.created)],
      ]),
    );
    out.info("");
    const rows = workers.map((w) => [w.name, w.status === "ONLINE" ? pc.green("online") : pc.gray("offline"), `${localTime(w.last_heartbeat_time)} (${relative(w.last_heartbeat_time)})`]);
    out.info(table(["WORKER", "STATUS", "LAST HEARTBEAT"], rows, `No workers yet. Start one: ${npxBaton(`worker start --pool ${shellWord(pool.name)}`)}`));
  },
});

const toggle = (paused: boolean) =>
  defineCommand({
    meta: { name: `baton work-pool ${paused ? "pause" : "resume"}`, description: paused ? "Pause a pool: its workers get no runs" : "Resume a paused pool" },
    args: { name },
    async run({ args }) {
      const client = apiClient();
      const pool = await workPoolByName(client, args.name);
      await client.post(`${path(pool.name)}/${paused ? "pause" : "resume"}`);
      out.success(`${paused ? "Paused" : "Resumed"} work pool ${pool.name}`);
    },
  });

const remove = defineCommand({
  meta: { name: "baton work-pool delete", description: "Delete a work pool no deployment uses (its workers are disconnected); a pool in use is refused, naming its deployments" },
  args: { name },
  async run({ args }) {
    const client = apiClient();
    const pool = await workPoolByName(client, args.name);
    await client.delete(path(pool.name));
    out.success(`Deleted work pool ${pool.name}`);
  },
});

export const workPool = defineCommand({
  meta: { name: "baton work-pool", description: "Create, list, inspect, pause, resume and delete work pools" },
  subCommands: { create, ls, inspect, pause: toggle(true), resume: toggle(false), delete: remove },
});
