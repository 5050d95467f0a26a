import type { FlowRun } from "../../../protocol/flow-runs";

/*
 * Runs the stream reports as created without their record (the scheduler's: a tick can create 10,000+ at
 * once, so it sends ids and states, not rows). The Runs list gathers the ids of a burst and asks for them
 * in one request, filtered as the list is, so only runs it would show come back. A burst larger than a page
 * is not worth fetching by id (the page shows at most that many new rows): the list is asked again instead.
 */

export const ARRIVAL_DELAY_MS = 300;
/** Ids per request, under the API's cap on `any_` lists. */
export const ARRIVAL_BATCH = 90;

export interface ArrivalDeps {
  /** The runs among `ids` that match the list's filters. */
  fetch(ids: string[]): Promise<FlowRun[]>;
  /** Runs fetched: put them in the list (an idempotent merge: a run already shown stays once). */
  onRuns(runs: FlowRun[]): void;
  /** Too many arrived at once to fetch by id: ask the list again. */
  onMany(): void;
  onError?(error: unknown): void;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

export function createArrivals(deps: ArrivalDeps, delayMs = ARRIVAL_DELAY_MS, max = ARRIVAL_BATCH) {
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let ids = new Set<string>();
  let timer: unknown = null;
  // Bumped by clear(): an answer for ids asked before the list was reloaded is not merged.
  let generation = 0;

  async function flush() {
    timer = null;
    const batch = [...ids];
    ids = new Set();
    if (batch.length > max) return deps.onMany();
    const gen = generation;
    try {
      const runs = await deps.fetch(batch);
      if (gen === generation && runs.length) deps.onRuns(runs);
    } catch (error) {
      if (gen === generation) deps.onError?.(error);
    }
  }

  return {
    /** A run created without its record: fetched with the others of its burst. */
    add(id: string): void {
      ids.add(id);
      timer ??= setTimer(() => void flush(), delayMs);
    },
    /** Forgets the waiting ids and answers on their way (the list is being loaded anew, which has them). */
    clear(): void {
      generation++;
      ids = new Set();
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}
