import * as p from "@clack/prompts";
import type { WorkPool } from "../../../../protocol/work-pools";
import type { ApiClient } from "../../client/http";
import { intervalSeconds, type ScheduleInput } from "../args";
import { discoverFlows } from "../discover";
import { loadEntrypoint, type FoundFlow } from "../entrypoint";
import { CliError } from "../errors";
import { npxBaton } from "../format";

/*
 * The questions of the interactive `baton deploy`, worded as Prefect's `prefect deploy` asks them.
 * Each answers what one flag would have given.
 */

function answered<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) {
    p.cancel("Deployment cancelled.");
    throw new CliError("E_CANCELLED", "Nothing was deployed.");
  }
  return value as Exclude<T, symbol>;
}

/** Names appear in URL paths (protocol/common.ts `Name`). */
function checkName(value: string | undefined): string | undefined {
  const name = value?.trim() ?? "";
  if (name.length > 200) return "At most 200 characters.";
  if (/[/%\\\u0000-\u001f]/.test(name)) return "No '/', '%', '\\' or control characters.";
  return undefined;
}

/**
 * The flow to deploy, picked from those the project's files export. They are found by reading the files;
 * only the chosen one is imported (running its top-level code), to get the flow itself.
 */
export async function pickFlow(projectDir: string): Promise<FoundFlow> {
  const spin = p.spinner();
  spin.start(`Looking for flows in ${projectDir}`);
  const { flows, failed } = await discoverFlows(projectDir);
  spin.stop(`Found ${flows.length} flow${flows.length === 1 ? "" : "s"}`);
  for (const f of failed) p.log.warn(`Skipped ${f.file}: ${f.reason}`);
  if (flows.length === 0) {
    throw new CliError("E_NO_FLOWS", `No flows found in ${projectDir}.`, {
      hint: `A flow is an exported flow(name, fn), with flow imported from "baton", in a .ts file; or name it: ${npxBaton("deploy path/to/file.ts:exportName")}`,
    });
  }
  const index = answered(
    await p.select({
      message: "Select a flow to deploy",
      // A name computed at run time is known only once its file is imported: the export stands in for it.
      options: flows.map((f, i) => ({ value: i, label: f.name ?? f.exportName, hint: f.entrypoint })),
    }),
  );
  return loadEntrypoint(projectDir, flows[index]!.entrypoint);
}

/** An existing pool, or the name of one to create; `create` says which. */
export async function pickPool(client: ApiClient): Promise<{ name: string; create: boolean }> {
  const pools = await client.post<WorkPool[]>("/work_pools/filter", { limit: 200 });
  const NEW = "\u0000new";
  if (pools.length > 0) {
    const choice = answered(
      await p.select({
        message: "Which work pool would you like to deploy this flow to?",
        options: [
          ...pools.map((pool) => ({ value: pool.name, label: pool.name, hint: pool.status.toLowerCase().replace("_", " ") })),
          { value: NEW, label: "Create a new work pool" },
        ],
      }),
    );
    if (choice !== NEW) return { name: choice, create: false };
  } else {
    p.log.info("Looks like you don't have any work pools this flow can be deployed to. Let's create one.");
  }
  const name = answered(await p.text({ message: "Work pool name", placeholder: "my-pool", defaultValue: "my-pool", validate: checkName }));
  return { name: name.trim(), create: true };
}

export async function askName(flowName: string): Promise<string> {
  const fallback = `${flowName}-deployment`;
  const name = answered(await p.text({ message: "Deployment name", placeholder: fallback, defaultValue: fallback, validate: checkName }));
  return name.trim();
}

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export async function askSchedule(): Promise<ScheduleInput | undefined> {
  const kind = answered(
    await p.select({
      message: "Would you like to configure a schedule for this deployment?",
      options: [
        { value: "none", label: "No schedule", hint: "run it on demand" },
        { value: "interval", label: "Interval", hint: "every N seconds" },
        { value: "cron", label: "Cron", hint: "e.g. every day at 9:00" },
      ],
    }),
  );
  if (kind === "none") return undefined;
  if (kind === "interval") {
    const text = answered(
      await p.text({
        message: "Seconds between scheduled runs",
        placeholder: "3600",
        defaultValue: "3600",
        validate: (value) => {
          try {
            intervalSeconds(value || "3600");
            return undefined;
          } catch {
            return "A number of seconds (60), or a duration (15m, 2h, 1d).";
          }
        },
      }),
    );
    return { interval: intervalSeconds(text) };
  }
  const cron = answered(await p.text({ message: "Cron string", placeholder: "0 0 * * *", defaultValue: "0 0 * * *" }));
  const timezone = answered(await p.text({ message: "Timezone", placeholder: localZone(), defaultValue: localZone() }));
  return { cron: cron.trim(), timezone: timezone.trim(), day_or: true };
}
