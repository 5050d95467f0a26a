import { A } from "@solidjs/router";
import { createVirtualizer } from "@tanstack/solid-virtual";
import { createEffect, For, Show } from "solid-js";
import type { FlowRun } from "../../../protocol/flow-runs";
import { elapsedSeconds, formatDuration } from "../format";
import { StateBadge } from "./StateBadge";
import { now, Time } from "./Time";

interface Props {
  total: number;
  row(index: number): FlowRun | undefined;
  /** Rows `from`..`to` are about to be shown: load them. */
  onRange(from: number, to: number): void;
  flowName(id: string): string | undefined;
  deploymentName(id: string): string | undefined;
}

const ROW_HEIGHT = 52;

/** Runs as a virtual table: only the rows in view exist in the page, however many runs there are. */
export function RunsTable(props: Props) {
  let scroller: HTMLDivElement | undefined;
  const virtualizer = createVirtualizer({
    get count() {
      return props.total;
    },
    getScrollElement: () => scroller ?? null,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  createEffect(() => {
    const items = virtualizer.getVirtualItems();
    const first = items[0];
    const last = items[items.length - 1];
    if (first && last) props.onRange(first.index, last.index);
  });

  const duration = (run: FlowRun) =>
    run.state_type === "RUNNING" ? elapsedSeconds(run.start_time, null, now()) : run.total_run_time || null;

  return (
    <div class="runs-table" role="table" aria-label="Flow runs" aria-rowcount={props.total + 1}>
      <div class="runs-row runs-head" role="row" aria-rowindex={1}>
        <span role="columnheader">State</span>
        <span role="columnheader">Run</span>
        <span role="columnheader">Flow / deployment</span>
        <span role="columnheader" title="When the run was due: newest first">Expected start</span>
        <span role="columnheader">Duration</span>
      </div>
      <div class="runs-scroll" ref={scroller} tabindex="0" aria-label="Runs, scrollable">
        <div style={{ height: `${virtualizer.getTotalSize()}px`, position: "relative" }} role="rowgroup">
          <For each={virtualizer.getVirtualItems()}>
            {(item) => (
              <div
                class="runs-row"
                role="row"
                aria-rowindex={item.index + 2}
                style={{ transform: `translateY(${item.start}px)`, height: `${ROW_HEIGHT}px` }}
              >
                <Show
                  when={props.row(item.index)}
                  fallback={<span class="row-loading" role="cell">Loading…</span>}
                >
                  {(run) => (
                    <>
                      <span role="cell">
                        <Show when={run().state_type} fallback={<span class="muted">—</span>}>
                          {(type) => <StateBadge type={type()} name={run().state_name ?? undefined} />}
                        </Show>
                      </span>
                      <span role="cell" class="run-name">
                        <A href={`/runs/${run().id}`}>{run().name}</A>
                        <Show when={run().tags.length}>
                          <span class="tags">{run().tags.join(", ")}</span>
                        </Show>
                      </span>
                      <span role="cell" class="muted">
                        {props.flowName(run().flow_id) ?? "flow"}
                        <Show when={run().deployment_id}>
                          {(id) => <> / {props.deploymentName(id()) ?? "deployment"}</>}
                        </Show>
                      </span>
                      {/* The list is sorted by expected start (what the API's EXPECTED_START_TIME_DESC orders by),
                          so that is the time shown: a retry resets it, and a first start time here looked out of order. */}
                      <span role="cell">
                        <Time value={run().expected_start_time ?? run().start_time} />
                      </span>
                      <span role="cell">{formatDuration(duration(run())) || "—"}</span>
                    </>
                  )}
                </Show>
              </div>
            )}
          </For>
        </div>
      </div>
    </div>
  );
}
