import type { FlowRun } from "../../../protocol/flow-runs";
import type { ApiClient } from "../client/http";
import { out } from "../output";
import { findWorkPool, poolWorkers } from "./api";
import { npxBaton, shellWord } from "./format";

/*
 * A run of a pool that is paused, or that no worker serves, sits Scheduled with nothing to say why: the
 * CLI says it, with the command that fixes it, when it creates such a run and while it watches one.
 */

/** Why a pool's runs would wait, and what to do, or undefined when they need not. A paused pool comes first: resuming it is needed either way. */
export function poolHint(pool: string, paused: boolean, workersOnline: number): string | undefined {
  if (paused) return `Work pool ${pool} is paused: resume it with \`${npxBaton(`work-pool resume ${shellWord(pool)}`)}\``;
  if (workersOnline === 0) return `No worker is online for pool ${pool}: start one with \`${npxBaton(`worker start --pool ${shellWord(pool)}`)}\``;
  return undefined;
}

/** The hint for the pool as it is now; undefined as well when it cannot be asked (a hint is not worth failing for). */
export async function currentPoolHint(client: ApiClient, pool: string): Promise<string | undefined> {
  try {
    const [found, online] = await Promise.all([findWorkPool(client, pool), poolWorkers(client, pool, true)]);
    return found ? poolHint(pool, found.is_paused, online.length) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For followRun's `onPoll`: while the run is Scheduled, looks at its pool now and then (every `everyMs`)
 * and warns once of each reason it finds that it waits.
 */
export function scheduledRunHints(client: ApiClient, pool: string, options: { everyMs?: number; warn?: (line: string) => void } = {}): (run: FlowRun) => Promise<void> {
  const said = new Set<string>();
  let nextCheck = 0;
  return async (run) => {
    if (run.state_type !== "SCHEDULED" || Date.now() < nextCheck) return;
    nextCheck = Date.now() + (options.everyMs ?? 5000);
    const hint = await currentPoolHint(client, pool);
    if (!hint || said.has(hint)) return;
    said.add(hint);
    (options.warn ?? out.warn)(hint);
  };
}
