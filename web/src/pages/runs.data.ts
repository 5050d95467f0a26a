import { createComputed, createSignal, on, onCleanup, untrack } from "solid-js";
import type { Deployment } from "../../../protocol/deployments";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { Flow } from "../../../protocol/flows";
import { api } from "../api/client";
import { useLive } from "../live";
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

  const pager = createRunsPager({
    count: () => early?.count ?? api.post<number>("/flow_runs/count", filterBody(current(), Date.now())),
    page: (offset, limit) =>
      (offset === 0 && limit === PAGE_SIZE ? early?.page : undefined) ??
      api.post<FlowRun[]>("/flow_runs/filter", {
        ...filterBody(current(), Date.now()),
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

  // Computed, not an effect: the first page is asked for while the page renders, not after.
  createComputed(
    on(filters, () => {
      void pager.reload(); // asks for the count and the first page at once, before its first await
      early = undefined;
    }),
  );

  // A burst of runs entering or leaving (a state filter on, many runs moving) costs one refresh, soon.
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshSoon = () => {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = undefined;
      void pager.refresh();
    }, REFRESH_DELAY_MS);
  };
  onCleanup(() => clearTimeout(refreshTimer));

  useLive(
    ["flow_runs"],
    (m) => {
      if (m.type !== "flow_run") return;
      const full = m.flow_run_full as FlowRun | undefined;
      if (m.flow_run.created && full) {
        if (matchesFilters(full, current(), Date.now())) pager.created(full);
        return;
      }
      const shown = pager.shows(m.flow_run.id);
      pager.stateChanged(m.flow_run);
      if (stateChangeMovesRun(current(), m.flow_run.state_type, shown)) refreshSoon();
    },
    () => void pager.reload(),
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
