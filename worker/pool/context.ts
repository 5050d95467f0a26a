import type { Db } from "../db/client";
import type { ClaimedRun } from "../db/pool-runs";
import type { StreamEvent } from "../stream/events";
import type { PoolStore } from "./store";

/** A get_scheduled_flow_runs call waiting for runs: it counts as a worker with `limit` free slots. */
export type PollWaiter = { worker_id: string; limit: number; claimed: ClaimedRun[]; wake: () => void };

/** What the pool's helpers share: the object's state, its storage, D1, and the calls back into the object. */
export interface Pool {
  readonly durable: DurableObjectState;
  readonly db: Db;
  readonly store: PoolStore;
  readonly waiters: PollWaiter[];
  /** Workers that let an offer time out, until when they are asked last (epoch ms; in memory only). */
  readonly slowUntil: Map<string, number>;
  poolId(): string | null;
  /** Runs a dispatch pass (coalescing concurrent requests into one more pass). */
  dispatch(): Promise<void>;
  /** Tells the dashboard's live stream, in the background (never awaited: dispatch must not wait for it). */
  stream(events: StreamEvent[]): void;
  /** Tells another pool's object, in the background, that runs of its pool became due. */
  nudge(poolId: string): void;
  /** Sets the alarm to the earliest time something is due. */
  rearm(): Promise<void>;
}
