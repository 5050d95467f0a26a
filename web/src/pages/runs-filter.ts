import type * as v from "valibot";
import type { FlowRun, FlowRunCount } from "../../../protocol/flow-runs";
import { STATE_TYPES, type StateType } from "../../../protocol/states";

/** What the Runs page is narrowed to; kept in the URL so a filtered list can be shared and reloaded. */
export interface RunFilters {
  states: StateType[];
  flowId: string;
  deploymentId: string;
  tag: string;
  /**
   * Runs expected to start within this many hours before the moment the filter was applied, and not after
   * it (0: any time). Bounded above so that runs scheduled for later stay out of "the last hour".
   */
  hours: number;
  search: string;
}

export const TIME_RANGES: readonly { hours: number; label: string }[] = [
  { hours: 1, label: "Last hour, until now" },
  { hours: 24, label: "Last 24 hours, until now" },
  { hours: 24 * 7, label: "Last 7 days, until now" },
  { hours: 24 * 30, label: "Last 30 days, until now" },
  { hours: 0, label: "Any time" },
];

export const NO_FILTERS: RunFilters = { states: [], flowId: "", deploymentId: "", tag: "", hours: 0, search: "" };

type Params = Partial<Record<string, string | string[] | undefined>>;
const one = (x: string | string[] | undefined): string => (Array.isArray(x) ? (x[0] ?? "") : (x ?? ""));

/** Filters from the URL's search parameters; anything unreadable falls back to "no filter". */
export function filtersFromParams(params: Params): RunFilters {
  const hours = Number(one(params.hours));
  return {
    states: one(params.state)
      .split(",")
      .filter((s): s is StateType => (STATE_TYPES as readonly string[]).includes(s)),
    flowId: one(params.flow),
    deploymentId: one(params.deployment),
    tag: one(params.tag),
    hours: Number.isFinite(hours) && hours > 0 ? hours : 0,
    search: one(params.q),
  };
}

/** The search parameters for filters (undefined removes one from the URL). */
export function paramsFromFilters(f: RunFilters): Record<string, string | undefined> {
  return {
    state: f.states.join(",") || undefined,
    flow: f.flowId || undefined,
    deployment: f.deploymentId || undefined,
    tag: f.tag || undefined,
    hours: f.hours ? String(f.hours) : undefined,
    q: f.search || undefined,
  };
}

const since = (f: RunFilters, until: number) => new Date(until - f.hours * 3_600_000).toISOString();

/**
 * The body of POST /flow_runs/count (and, with paging, /flow_runs/filter) for these filters; `until` is the
 * moment the filters were applied, the time range's upper bound (kept while the list pages and goes live).
 */
export function filterBody(f: RunFilters, until: number): v.InferInput<typeof FlowRunCount> {
  const runs: NonNullable<v.InferInput<typeof FlowRunCount>["flow_runs"]> = {};
  if (f.states.length) runs.state = { type: { any_: f.states } };
  if (f.tag.trim()) runs.tags = { all_: [f.tag.trim()] };
  if (f.search.trim()) runs.name = { like_: f.search.trim() };
  if (f.deploymentId) runs.deployment_id = { any_: [f.deploymentId] };
  if (f.hours) runs.expected_start_time = { after_: since(f, until), before_: new Date(until).toISOString() };
  return {
    flow_runs: Object.keys(runs).length ? runs : undefined,
    flows: f.flowId ? { id: { any_: [f.flowId] } } : undefined,
  };
}

/** Whether a run that just appeared belongs in the list, judged as the server would (`until` as for filterBody). */
export function matchesFilters(run: FlowRun, f: RunFilters, until: number): boolean {
  if (f.states.length && (!run.state_type || !f.states.includes(run.state_type))) return false;
  if (f.flowId && run.flow_id !== f.flowId) return false;
  if (f.deploymentId && run.deployment_id !== f.deploymentId) return false;
  if (f.tag.trim() && !run.tags.includes(f.tag.trim())) return false;
  if (f.search.trim() && !run.name.toLowerCase().includes(f.search.trim().toLowerCase())) return false;
  if (f.hours) {
    const at = run.expected_start_time ? Date.parse(run.expected_start_time) : NaN;
    // A run expected after the bound (one scheduled for later) is outside the range, live as on load.
    if (!(at >= until - f.hours * 3_600_000 && at <= until)) return false;
  }
  return true;
}

export const hasFilters = (f: RunFilters): boolean =>
  f.states.length > 0 || !!(f.flowId || f.deploymentId || f.tag || f.hours || f.search);

/**
 * Whether a run's state change can move it into or out of the list, so the list must be asked for again.
 * Only a state filter looks at the state: a run shown whose new state is filtered out leaves, and a run
 * not shown whose new state is filtered for may enter (the server then judges the other filters).
 */
export function stateChangeMovesRun(f: RunFilters, stateType: string | null, shown: boolean): boolean {
  if (!f.states.length) return false;
  const matches = stateType !== null && (f.states as string[]).includes(stateType);
  return matches !== shown;
}
