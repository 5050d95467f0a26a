import { defineCommand } from "citty";
import { endQuietlyWhenOutputCloses } from "../output";
import { VERSION } from "../version";
import { runCli } from "./run";

/** The command tree. Each group is loaded when used, so one command never pays for another's imports. */
export const root = defineCommand({
  meta: { name: "baton", version: VERSION, description: "Workflow orchestration for TypeScript" },
  subCommands: {
    server: () => import("./commands/server").then((module) => module.server),
    deploy: () => import("./commands/deploy").then((module) => module.deploy),
    deployment: () => import("./commands/deployment").then((module) => module.deployment),
    "flow-run": () => import("./commands/flow-run").then((module) => module.flowRun),
    "work-pool": () => import("./commands/work-pool").then((module) => module.workPool),
    config: () => import("./commands/config").then((module) => module.config),
    worker: () => import("./commands/worker").then((module) => module.worker),
    event: () => import("./commands/event").then((module) => module.event),
    watch: () => import("./commands/watch").then((module) => module.watchCommand),
    webhook: () => import("./commands/webhook").then((module) => module.webhook),
  },
});

/** Entry point of the `baton` executable (bin/baton.js). */
export async function main(argv: string[]): Promise<void> {
  endQuietlyWhenOutputCloses();
  process.exitCode = await runCli(root, argv, VERSION);
}
