import { hostname } from "node:os";
import { defineCommand } from "citty";
import pc from "picocolors";
import * as v from "valibot";
import { Name } from "../../../../protocol/common";
import { ApiClient } from "../../client/http";
import { LogShipper } from "../../client/log-shipper";
import { npxBaton } from "../format";
import { out } from "../../output";
import { WorkerAgent } from "../../worker/agent";
import { runUntilStopped } from "../../worker/lifecycle";
import { pickPool } from "../../worker/pick-pool";
import { createPool, findPool } from "../../worker/pools";
import { RunOutput } from "../../worker/run-output";
import { childExecutor } from "../../worker/runner";
import { CliError, UsageError } from "../errors";

const DEFAULT_LIMIT = 10;

/** Reasons come with or without their full stop (explained refusals end in one). */
const sentence = (text: string) => (/[.?!]$/.test(text) ? text : `${text}.`);

export function parseLimit(value: string): number {
  const limit = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || limit < 1 || limit > 1000) {
    throw new UsageError(`Invalid --limit ${JSON.stringify(value)}: expected a whole number from 1 to 1000.`);
  }
  return limit;
}

function parseName(value: string, flag: string): string {
  const parsed = v.safeParse(Name, value);
  if (!parsed.success) throw new UsageError(`Invalid ${flag} ${JSON.stringify(value)}: it ${parsed.issues[0].message}.`);
  return parsed.output;
}

/** The pool to serve: --pool (created with --create-pool), else picked interactively when a terminal is attached. */
async function resolvePool(client: ApiClient, pool: string | undefined, create: boolean): Promise<string> {
  if (pool === undefined) {
    if (process.stdin.isTTY && process.stdout.isTTY) return pickPool(client);
    throw new UsageError("Which work pool? Give --pool NAME (no terminal is attached to pick one).", `\`${npxBaton("work-pool ls")}\` lists the pools.`);
  }
  const name = parseName(pool, "--pool");
  if (await findPool(client, name)) return name;
  if (!create) {
    throw new CliError("E_POOL_NOT_FOUND", `Work pool ${JSON.stringify(name)} does not exist.`, {
      hint: `Create it with \`${npxBaton(`work-pool create ${name}`)}\`, or start the worker with \`${npxBaton(`worker start --pool ${name} --create-pool`)}\`.`,
    });
  }
  await createPool(client, name);
  out.success(`Created work pool ${name}.`);
  return name;
}

const start = defineCommand({
  meta: { name: "baton worker start", description: "Run the flow runs of a work pool on this machine" },
  args: {
    pool: { type: "string", description: "Work pool to take runs from (asked when omitted and a terminal is attached)", valueHint: "name" },
    name: { type: "string", description: "Worker name (default: hostname-pid)", valueHint: "name" },
    limit: { type: "string", description: "Most runs at once", default: String(DEFAULT_LIMIT), valueHint: "n" },
    "create-pool": { type: "boolean", description: "Create the pool when it does not exist", default: false },
  },
  async run({ args }) {
    const limit = parseLimit(args.limit);
    const name = parseName(args.name ?? `${hostname()}-${process.pid}`, "--name");
    const client = new ApiClient();
    // An unreachable server or a refused key surfaces here, as one clear line (cli/server-errors.ts).
    const pool = await resolvePool(client, args.pool, args["create-pool"]);

    const shipper = new LogShipper(client);
    const agent = new WorkerAgent({
      client,
      pool,
      name,
      limit,
      executor: childExecutor({ client, output: new RunOutput(shipper) }),
      out,
    });
    await agent.start().catch((error: Error) => {
      throw new CliError("E_WORKER_STOPPED", `The worker could not connect: ${sentence(error.message)}`);
    });
    out.success(`Worker ${pc.bold(name)} is taking runs from pool ${pc.bold(pool)}.`);
    out.info(`  Server   ${client.config.apiUrl}`);
    out.info(`  Limit    ${limit} run${limit === 1 ? "" : "s"} at once`);
    out.info("  Stop     Ctrl-C (running runs finish first; press it again to cancel them)");

    const result = await runUntilStopped(agent, out).catch((error: Error) => {
      throw new CliError("E_WORKER_STOPPED", `The worker stopped: ${sentence(error.message)}`);
    });
    const lost = await shipper.close(5_000);
    if (result.unreported > 0 || lost > 0) {
      throw new CliError(
        "E_UNREPORTED",
        `The worker stopped without reaching the server: ${result.unreported} run state(s) and ${lost} log line(s) were not delivered.`,
      );
    }
    out.success(result.cancelled ? "Worker stopped; its runs were cancelled." : "Worker stopped.");
  },
});

export const worker = defineCommand({
  meta: { name: "baton worker", description: "Run flow runs of a work pool on this machine" },
  subCommands: { start },
});
