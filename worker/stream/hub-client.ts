import type { Env } from "../env";
import type { StreamEvent } from "./events";

/** Events per RPC: a scheduler tick may create thousands of runs at once. */
const BATCH = 500;

export const hubStub = (env: Env) => env.EVENT_HUB.get(env.EVENT_HUB.idFromName("events"));

/** Hands stream messages to the hub as they are (publish.ts adds Baton's events on top); throws on failure. */
export async function sendToHub(env: Env, list: readonly StreamEvent[]): Promise<void> {
  for (let i = 0; i < list.length; i += BATCH) await hubStub(env).publish(list.slice(i, i + BATCH));
}
