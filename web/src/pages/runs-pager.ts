import type { FlowRun } from "../../../protocol/flow-runs";

/*
 * The Runs list's rows: fetched a page at a time as the user scrolls (so 100,000 runs cost only the pages
 * looked at), with live changes merged in. Rows are [new runs that arrived live] ++ [the list as it was when
 * loaded]; since the server now also has the new runs at the top, a loaded row's server offset is its index
 * in the snapshot plus the number of live arrivals.
 */

export const PAGE_SIZE = 100;
/** How many recent state changes are kept for rows whose page is still on its way. */
const REMEMBERED_CHANGES = 5_000;

/** A state change as the stream reports it. */
export interface RunStateChange {
  id: string;
  state_type: string | null;
  state_name: string | null;
  timestamp: string;
}

export interface PagerDeps {
  count(): Promise<number>;
  page(offset: number, limit: number): Promise<FlowRun[]>;
  /** Called whenever rows or the total changed, so the view re-reads them. */
  onChange(): void;
  onError(error: unknown): void;
}

/** The time of a run's current state, to tell whether a reported change is newer than what is shown. */
const stateTime = (run: FlowRun): string => run.state?.timestamp ?? run.updated;

function applyChange(run: FlowRun, change: RunStateChange): FlowRun {
  if (change.timestamp < stateTime(run)) return run;
  return {
    ...run,
    state_type: change.state_type as FlowRun["state_type"],
    state_name: change.state_name,
    state: run.state && {
      ...run.state,
      type: (change.state_type ?? run.state.type) as NonNullable<FlowRun["state_type"]>,
      name: change.state_name ?? run.state.name,
      timestamp: change.timestamp,
    },
  };
}

export function createRunsPager(deps: PagerDeps) {
  let generation = 0;
  let total = 0;
  let loaded = false;
  let head: FlowRun[] = [];
  let snapshot: (FlowRun | undefined)[] = [];
  let requested = new Set<number>();
  /** Where each shown run is, so a change finds its row without a scan. */
  let where = new Map<string, { list: "head" | "snapshot"; index: number }>();
  const changes = new Map<string, RunStateChange>();

  const remember = (change: RunStateChange) => {
    changes.delete(change.id);
    changes.set(change.id, change);
    if (changes.size > REMEMBERED_CHANGES) changes.delete(changes.keys().next().value as string);
  };

  async function loadPage(page: number, gen: number) {
    const offsetNow = head.length;
    try {
      const runs = await deps.page(page * PAGE_SIZE + offsetNow, PAGE_SIZE);
      if (gen !== generation) return;
      runs.forEach((fetched, i) => {
        const index = page * PAGE_SIZE + i;
        const change = changes.get(fetched.id);
        snapshot[index] = change ? applyChange(fetched, change) : fetched;
        where.set(fetched.id, { list: "snapshot", index });
      });
      deps.onChange();
    } catch (error) {
      requested.delete(page);
      if (gen === generation) deps.onError(error);
    }
  }

  return {
    /** Forgets everything and loads the count and the first page again (filters changed, or the stream came back). */
    async reload(): Promise<void> {
      const gen = ++generation;
      head = [];
      snapshot = [];
      requested = new Set([0]);
      where = new Map();
      try {
        const [count] = await Promise.all([deps.count(), loadPage(0, gen)]);
        if (gen !== generation) return;
        total = count;
        loaded = true;
        deps.onChange();
      } catch (error) {
        if (gen === generation) deps.onError(error);
      }
    },
    /**
     * Asks again for the count and every page asked for so far, and swaps them in at once: for changes that
     * move runs into or out of the list (a state filter and a run that changed state), where only the server
     * knows the new order and count. Unlike `reload`, what is shown stays until the answer is in.
     */
    async refresh(): Promise<void> {
      if (!loaded) return;
      const gen = ++generation;
      const pages = [...requested].sort((a, b) => a - b);
      try {
        const [count, ...results] = await Promise.all([deps.count(), ...pages.map((p) => deps.page(p * PAGE_SIZE, PAGE_SIZE))]);
        if (gen !== generation) return;
        head = [];
        snapshot = [];
        where = new Map();
        requested = new Set(pages);
        results.forEach((runs, k) =>
          runs.forEach((fetched, i) => {
            const index = pages[k]! * PAGE_SIZE + i;
            const change = changes.get(fetched.id);
            snapshot[index] = change ? applyChange(fetched, change) : fetched;
            where.set(fetched.id, { list: "snapshot", index });
          }),
        );
        total = count;
        deps.onChange();
      } catch (error) {
        if (gen === generation) deps.onError(error);
      }
    },
    /** Whether the run is among the rows loaded. */
    shows: (id: string) => where.has(id),
    loaded: () => loaded,
    total: () => (loaded ? total + head.length : 0),
    /** The row at `index`, or undefined while its page is loading (call `ensure` for it). */
    row(index: number): FlowRun | undefined {
      return index < head.length ? head[index] : snapshot[index - head.length];
    },
    /** Fetches the pages holding rows `from`..`to` that are not loaded or on their way. */
    ensure(from: number, to: number): void {
      const first = Math.floor(Math.max(0, from - head.length) / PAGE_SIZE);
      const last = Math.floor(Math.max(0, to - head.length) / PAGE_SIZE);
      for (let page = first; page <= last; page++) {
        if (requested.has(page) || page * PAGE_SIZE >= total) continue;
        requested.add(page);
        void loadPage(page, generation);
      }
    },
    /** A state change from the stream: updates the row if shown, and is remembered for pages still loading. */
    stateChanged(change: RunStateChange): void {
      remember(change);
      const at = where.get(change.id);
      if (!at) return;
      const list = at.list === "head" ? head : snapshot;
      const run = list[at.index];
      if (!run) return;
      const next = applyChange(run, change);
      if (next === run) return;
      list[at.index] = next;
      deps.onChange();
    },
    /** A run created just now that matches the filters goes on top. */
    created(run: FlowRun): void {
      if (!loaded || where.has(run.id)) return;
      head = [run, ...head];
      // Positions in `head` moved by one; rebuild just that part of the index.
      head.forEach((r, index) => where.set(r.id, { list: "head", index }));
      deps.onChange();
    },
  };
}

export type RunsPager = ReturnType<typeof createRunsPager>;
