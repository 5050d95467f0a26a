import { createMemo, For, Show } from "solid-js";
import { isTerminal } from "../../../protocol/states";
import type { TaskRun } from "../../../protocol/task-runs";
import { formatAbsolute, formatDuration } from "../format";
import { timelineBars, type TimelineBar } from "../pages/run-detail-merge";
import { now } from "./Time";

/** Both measures, so a bar longer than its run time explains itself. */
export const barTitle = (bar: Pick<TimelineBar, "name" | "state_name" | "seconds" | "runSeconds">) =>
  `${bar.name}${bar.state_name ? ` (${bar.state_name})` : ""}: run time ${formatDuration(bar.runSeconds)}; ` +
  `${formatDuration(bar.seconds)} from first start to end, retry waits included`;

/** When each task run ran, on the span of the whole run. Long lists scroll inside their own box. */
export function Timeline(props: { taskRuns: readonly TaskRun[] }) {
  // The shared clock re-draws running bars now and then; Date.now() keeps a redraw caused by a change exact.
  const timeline = createMemo(() => timelineBars(props.taskRuns, Math.max(now(), Date.now())));
  // Finished task runs without a start never ran: their results came from the cache.
  const notStarted = () =>
    props.taskRuns.length && props.taskRuns.every((t) => isTerminal(t.state_type))
      ? "No task run ran: every result came from the cache."
      : "No task has started yet.";
  return (
    <Show when={timeline().bars.length} fallback={<p class="muted">{notStarted()}</p>}>
      <div class="timeline-axis muted">
        <span>{formatAbsolute(timeline().from)}</span>
        <span>{formatDuration((timeline().to - timeline().from) / 1000)}</span>
      </div>
      <p class="muted timeline-note">
        A bar spans a task run from its first start to its end, waits between retries included; the time beside it is its run
        time, as in the Task runs table.
      </p>
      <ol class="timeline" aria-label="Task runs over time">
        <For each={timeline().bars.slice(0, 500)}>
          {(bar) => (
            <li class="timeline-row">
              <span class="timeline-name" title={bar.name}>
                {bar.name}
              </span>
              <span class="timeline-track">
                <span
                  class="timeline-bar"
                  data-state={bar.state_type ?? undefined}
                  style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
                  title={barTitle(bar)}
                />
              </span>
              <span class="timeline-duration muted" title={barTitle(bar)}>
                {formatDuration(bar.runSeconds)}
              </span>
            </li>
          )}
        </For>
      </ol>
      <Show when={timeline().bars.length > 500}>
        <p class="muted">First 500 of {timeline().bars.length} task runs shown.</p>
      </Show>
    </Show>
  );
}
