import { For, Show } from "solid-js";
import type { TaskRun } from "../../../protocol/task-runs";
import { formatDuration } from "../format";
import { StateBadge } from "./StateBadge";
import { taskRunSeconds } from "../pages/run-detail-merge";
import { now, Time } from "./Time";

const SHOWN = 500;

export function TaskRunsTable(props: { taskRuns: readonly TaskRun[] }) {
  return (
    <Show when={props.taskRuns.length} fallback={<p class="muted">This run has no task runs.</p>}>
      <div class="table-scroll">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">State</th>
              <th scope="col">Start</th>
              <th scope="col" title="Time spent running, over all attempts; waits between retries left out">
                Run time
              </th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.taskRuns.slice(0, SHOWN)}>
              {(t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <Show when={t.state_type} fallback="—">
                      {(type) => <StateBadge type={type()} name={t.state_name ?? undefined} />}
                    </Show>
                  </td>
                  <td>
                    <Time value={t.start_time} />
                  </td>
                  <td>{t.start_time ? formatDuration(taskRunSeconds(t, now())) : "—"}</td>
                  <td>{t.run_count}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={props.taskRuns.length > SHOWN}>
        <p class="muted">First {SHOWN} of {props.taskRuns.length} task runs shown.</p>
      </Show>
    </Show>
  );
}
