import type { Context } from "hono";
import type { State } from "../../protocol/states";
import { createDb } from "../db/client";
import { allWorkPoolIds } from "../db/work-pools";
import type { Env } from "../env";
import type { AppEnv } from "../types";

/*
 * How the rest of the Worker talks to the pools' Durable Objects. One object per pool, named by the
 * pool's id (stable across renames). Nudges are best effort: each pool's object also wakes on its
 * own alarm and on every cron tick, so a lost nudge delays a run, it never loses one.
 */

export function poolStub(env: Env, poolId: string) {
  return env.WORK_POOL.get(env.WORK_POOL.idFromName(poolId));
}

/** Tells pools that runs of theirs were created or became due, so they dispatch or set their alarm. */
export async function nudgePools(env: Env, poolIds: Iterable<string | null | undefined>): Promise<void> {
  const ids = [...new Set([...poolIds].filter((id): id is string => !!id))];
  await Promise.allSettled(ids.map((id) => poolStub(env, id).poke(id)));
}

type RouteContext = Context<AppEnv>;

/** After a run of a pool changed state over REST: the pool frees slots, pushes cancels, re-dispatches. */
export function tellPoolOfState(c: RouteContext, poolId: string | null, runId: string, state: Pick<State, "type" | "name"> | null): void {
  if (!poolId || !state) return;
  const change = { run_id: runId, type: state.type, name: state.name };
  c.executionCtx.waitUntil(poolStub(c.env, poolId).runChanged(poolId, change).catch((e) => console.error("work pool: runChanged failed", e)));
}

/** After runs were created for pools, or a pool's settings changed: they dispatch at once. */
export function nudgePoolsLater(c: RouteContext, poolIds: Iterable<string | null | undefined>): void {
  c.executionCtx.waitUntil(nudgePools(c.env, poolIds));
}

/**
 * The cron's visit to every pool: reconcile, reap, dispatch. Each pool's object keeps its own alarm;
 * this is the safety net for an alarm or a nudge that was lost, and wakes pools whose D1 rows changed
 * behind their back (a restored database, runs inserted by hand).
 */
export async function tickAllPools(env: Env): Promise<void> {
  const ids = await allWorkPoolIds(createDb(env.DB));
  await Promise.allSettled(ids.map((id) => poolStub(env, id).tick(id)));
}
