import { createComputed, createSignal, on, onCleanup, untrack } from "solid-js";
import type { Deployment } from "../../../protocol/deployments";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { Flow } from "../../../protocol/flows";
import { api } from "../api/client";
import { useLive } from "../live";
import type { StreamServerMessage } from "../../../protocol/events-stream";
import { createLoadGate } from "../live/gate";
import { createArrivals } from "./runs-arrivals";
import { createRunsPager, PAGE_SIZE } from "./runs-pager";
import { runsPrefetch } from "./runs.prefetch";
import { filterBody, matchesFilters, stateChangeMovesRun, type RunFilters } from "./runs-filter";

/** How long a run entering or leaving the filtered list waits for others before the list is asked again. */
const REFRESH_DELAY_MS = 300;

/** Flows and deployments by id: the filter menus, and names for the rows (runs carry only ids). */
export function createCatalog() {
  // Plain signals, not resources: a resource read under the layout's Suspense would hold back the whole
  // list until these menus load. Without them rows show ids' names as "flow"; the list itself still works.
  const [flows, setFlows] = createSignal<Flow[]>();
  const [deployments, setDeployments] = createSignal<Deployment[]>();
  api.post<Flow[]>("/flows/filter", { limit: 200 }).then(setFlows, () => {});
  api.post<Deployment[]>("/deployments/filter", { limit: 200 }).then(setDeployments, () => {});
  const flowNames = () => new Map((flows() ?? []).map((f) => [f.id, f.name]));
  const deploymentNames = () => new Map((deployments() ?? []).map((d) => [d.id, d.name]));
  return { flows, deployments, flowNames, deploymentNames };
}

/** The Runs list for the current filters: paged rows, the total, live changes, and what went wrong. */
export function createRunsList(filters: () => RunFilters) {
  // Rows live outside Solid's reactivity (a sparse array of 100,000 is no store); this ticks when they change.
  const [version, bump] = createSignal(undefined, { equals: false });
  const [error, setError] = createSignal<unknown>();
  const current = () => untrack(filters);
  // The first load's requests may be on their way already (the route's preload): used once, if they fit.
  let early = runsPrefetch.take(current());
  // The moment the filters were applied: a time range's upper bound, for every page and live arrival alike.
  let until = early?.at ?? Date.now();

  const pager = createRunsPager({
    count: () => early?.count ?? api.post<number>("/flow_runs/count", filterBody(current(), until)),
    page: (offset, limit) =>
      (offset === 0 && limit === PAGE_SIZE ? early?.page : undefined) ??
      api.post<FlowRun[]>("/flow_runs/filter", {
        ...filterBody(current(), until),
        sort: "EXPECTED_START_TIME_DESC",
        offset,
        limit,
      }),
    onChange: () => {
      setError(undefined);
      bump();
    },
    onError: (e) => setError(() => e),
  });

  // Stream messages (and what they lead to) wait while the list loads, then apply over what it loaded.
  const gate = createLoadGate<() => void>((apply) => apply());
  const load = (how: "reload" | "refresh") => {
    gate.hold();
    if (how === "reload") arrivals.clear();
    void pager[how]().finally(gate.release);
  };

  // A burst of runs entering or leaving (a state filter on, many runs moving) costs one refresh, soon.
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshSoon = () => {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = undefined;
      load("refresh");
    }, REFRESH_DELAY_MS);
  };
  onCleanup(() => clearTimeout(refreshTimer));

  // Runs created without their record (the scheduler's): fetched by id, a burst at a time, as the list filters.
  const arrivals = createArrivals({
    fetch: (ids) => {
      const body = filterBody(current(), until);
      return api.post<FlowRun[]>("/flow_runs/filter", {
        ...body,
        flow_runs: { ...body.flow_runs, id: { any_: ids } },
        sort: "EXPECTED_START_TIME_ASC",
        limit: ids.length,
      });
    },
    // Oldest first, so that the newest ends on top.
    onRuns: (runs) => gate.deliver(() => runs.forEach(pager.created)),
    onMany: refreshSoon,
    onError: (e) => console.warn("runs list: new runs could not be read", e),
  });
  onCleanup(arrivals.clear);

  const onMessage = (m: StreamServerMessage) => {
    if (m.type !== "flow_run") return;
    const full = m.flow_run_full as FlowRun | undefined;
    if (m.flow_run.created) {
      if (!full) arrivals.add(m.flow_run.id);
      else if (matchesFilters(full, current(), until)) pager.created(full);
      return;
    }
    const shown = pager.shows(m.flow_run.id);
    pager.stateChanged(m.flow_run);
    if (stateChangeMovesRun(current(), m.flow_run.state_type, shown)) refreshSoon();
  };

  // Subscribed before the first load is asked for, so that no change falls between the two.
  useLive(["flow_runs"], (m) => gate.deliver(() => onMessage(m)), () => load("reload"));

  // Computed, not an effect: the first page is asked for while the page renders, not after.
  createComputed(
    on(filters, (_, previous) => {
      if (previous !== undefined) until = Date.now();
      load("reload"); // asks for the count and the first page at once, before its first await
      early = undefined;
    }),
  );

  return {
    /** Read inside a tracked scope to re-render when rows change. */
    track: version,
    error,
    loaded: () => (version(), pager.loaded()),
    total: () => (version(), pager.total()),
    row: (index: number) => (version(), pager.row(index)),
    ensure: pager.ensure,
    retry: () => void pager.reload(),
  };
}

export type RunsList = ReturnType<typeof createRunsList>;
