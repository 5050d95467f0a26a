import * as prompts from "@clack/prompts";
import * as v from "valibot";
import { Name } from "../../../protocol/common";
import type { ApiClient } from "../client/http";
import { CliError } from "../cli/errors";
import { createPool, listPools } from "./pools";

const CREATE = Symbol("create");

const cancelled = () => new CliError("E_CANCELLED", "Cancelled: no work pool chosen.");

/** Asks which pool the worker serves, offering to create one; answers its name. */
export async function pickPool(client: ApiClient): Promise<string> {
  const pools = await listPools(client);
  const choice = await prompts.select<string | typeof CREATE>({
    message: pools.length > 0 ? "Which work pool should this worker take runs from?" : "There is no work pool yet.",
    options: [
      ...pools.map((pool) => ({ value: pool.name, label: pool.name, hint: pool.is_paused ? "paused" : pool.status.toLowerCase().replace("_", " ") })),
      { value: CREATE, label: "Create a new work pool" },
    ],
  });
  if (prompts.isCancel(choice)) throw cancelled();
  if (choice !== CREATE) return choice;
  const name = await prompts.text({
    message: "Name of the new work pool",
    placeholder: "my-pool",
    validate: (value) => {
      const parsed = v.safeParse(Name, value ?? "");
      if (!parsed.success) return `The name ${parsed.issues[0].message}.`;
      if (pools.some((pool) => pool.name === parsed.output)) return `A pool named ${parsed.output} exists already: pick it above.`;
      return undefined;
    },
  });
  if (prompts.isCancel(name)) throw cancelled();
  const pool = await createPool(client, name.trim());
  prompts.log.success(`Created work pool ${pool.name}.`);
  return pool.name;
}
