import { For, onCleanup } from "solid-js";
import type { Deployment } from "../../../protocol/deployments";
import type { Flow } from "../../../protocol/flows";
import { DEFAULT_STATE_NAMES, STATE_TYPES, type StateType } from "../../../protocol/states";
import { hasFilters, NO_FILTERS, TIME_RANGES, type RunFilters } from "../pages/runs-filter";

interface Props {
  value: RunFilters;
  flows: readonly Flow[];
  deployments: readonly Deployment[];
  onChange(next: RunFilters): void;
}

/** A pause in typing this long applies a text field, so the list follows the search without a request per key. */
const TYPING_PAUSE_MS = 400;

/** The Runs page's filter bar. Text fields apply after a pause in typing, on Enter, or when left. */
export function RunsFilters(props: Props) {
  const set = (patch: Partial<RunFilters>) => props.onChange({ ...props.value, ...patch });
  const toggle = (state: StateType) => {
    const states = props.value.states.includes(state)
      ? props.value.states.filter((s) => s !== state)
      : [...props.value.states, state];
    set({ states });
  };
  const timers: Partial<Record<"search" | "tag", ReturnType<typeof setTimeout>>> = {};
  onCleanup(() => Object.values(timers).forEach(clearTimeout));
  const apply = (key: "search" | "tag", value: string) => {
    clearTimeout(timers[key]);
    if (value !== props.value[key]) set({ [key]: value });
  };
  const text = (key: "search" | "tag") => (event: Event) => apply(key, (event.currentTarget as HTMLInputElement).value);
  const typing = (key: "search" | "tag") => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement).value;
    clearTimeout(timers[key]);
    timers[key] = setTimeout(() => apply(key, value), TYPING_PAUSE_MS);
  };

  // Open from tablet width up; on a phone the filters fold away so the list is in view.
  const wide = typeof matchMedia === "function" && matchMedia("(min-width: 40rem)").matches;
  return (
    <details class="filters-box" open={wide || hasFilters(props.value)}>
      <summary>Filters{hasFilters(props.value) ? " (on)" : ""}</summary>
    <form class="filters" role="search" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
      <label>
        <span>Search</span>
        <input type="search" placeholder="Run name" value={props.value.search} onInput={typing("search")} onChange={text("search")} />
      </label>
      <label>
        <span>Flow</span>
        <select value={props.value.flowId} onChange={(e) => set({ flowId: e.currentTarget.value })}>
          <option value="">All flows</option>
          <For each={props.flows}>{(f) => <option value={f.id}>{f.name}</option>}</For>
        </select>
      </label>
      <label>
        <span>Deployment</span>
        <select value={props.value.deploymentId} onChange={(e) => set({ deploymentId: e.currentTarget.value })}>
          <option value="">All deployments</option>
          <For each={props.deployments}>{(d) => <option value={d.id}>{`${d.flow_name}/${d.name}`}</option>}</For>
        </select>
      </label>
      <label>
        <span>Tag</span>
        <input type="text" placeholder="any" value={props.value.tag} onInput={typing("tag")} onChange={text("tag")} />
      </label>
      <label>
        <span>Expected start</span>
        <select value={props.value.hours} onChange={(e) => set({ hours: Number(e.currentTarget.value) })}>
          <For each={TIME_RANGES}>{(r) => <option value={r.hours}>{r.label}</option>}</For>
        </select>
      </label>
      <fieldset class="state-filter">
        <legend>States</legend>
        <For each={STATE_TYPES}>
          {(state) => (
            <label class="state-toggle" data-state={state}>
              <input type="checkbox" checked={props.value.states.includes(state)} onChange={() => toggle(state)} />
              {DEFAULT_STATE_NAMES[state]}
            </label>
          )}
        </For>
      </fieldset>
      <button type="button" disabled={!hasFilters(props.value)} onClick={() => props.onChange(NO_FILTERS)}>
        Clear filters
      </button>
    </form>
    </details>
  );
}
