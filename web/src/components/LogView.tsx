import { createEffect, For, on, Show } from "solid-js";
import { LOG_LEVELS, type Log } from "../../../protocol/logs";
import { formatAbsolute, formatClock } from "../format";
import type { LogSource } from "../pages/log-source";
import type { Logs } from "../pages/logs.data";
import "./log-view.css";

const levelName = (level: number) =>
  Object.entries(LOG_LEVELS).reduce((name, [n, v]) => (level >= v ? n : name), "DEBUG");

/**
 * A run's log lines with a level filter, search and follow mode (keeps the newest line in view). Given
 * `source`, each line also names the run that wrote it (a task run, or the flow run).
 */
export function LogView(props: { logs: Logs; source?: (line: Log) => LogSource }) {
  let box: HTMLDivElement | undefined;
  createEffect(
    on(props.logs.lines, () => {
      if (props.logs.follow() && box) box.scrollTop = box.scrollHeight;
    }),
  );

  return (
    <div class="logs">
      <div class="logs-bar">
        <label>
          <span>Level</span>
          <select value={props.logs.minLevel()} onChange={(e) => props.logs.setMinLevel(Number(e.currentTarget.value))}>
            <option value="0">All</option>
            <For each={Object.entries(LOG_LEVELS)}>{([name, value]) => <option value={value}>{`${name} and above`}</option>}</For>
          </select>
        </label>
        <label>
          <span>Search</span>
          <input type="search" placeholder="Text in the lines" value={props.logs.search()} onInput={(e) => props.logs.setSearch(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={props.logs.follow()} onChange={(e) => props.logs.setFollow(e.currentTarget.checked)} />
          Follow
        </label>
        <span class="muted" aria-live="polite">
          {props.logs.lines().length} of {props.logs.total()} lines
        </span>
      </div>
      <Show when={props.logs.error()}>{(e) => <p class="note note-error" role="alert">Could not load logs: {e()}</p>}</Show>
      <div class="log-lines" ref={box} tabindex="0" aria-label="Log lines" role="log">
        <Show
          when={props.logs.lines().length}
          fallback={<p class="muted">{props.logs.loading() ? "Loading logs…" : props.logs.total() ? "No line matches the search." : "No log lines yet."}</p>}
        >
          <For each={props.logs.lines()}>
            {(line) => (
              <div class="log-line" classList={{ "with-source": !!props.source }} data-level={levelName(line.level)}>
                <time datetime={line.timestamp} title={formatAbsolute(line.timestamp)}>
                  {formatClock(line.timestamp)}
                </time>
                <span class="log-level">{levelName(line.level)}</span>
                <Show when={props.source?.(line)}>
                  {(source) => (
                    <span class="log-source" data-kind={source().kind} title={source().title}>
                      {source().label}
                    </span>
                  )}
                </Show>
                <span class="log-message">{line.message}</span>
              </div>
            )}
          </For>
        </Show>
      </div>
      <Show when={props.logs.more()}>
        <button type="button" onClick={props.logs.loadMore}>
          Load more lines
        </button>
      </Show>
    </div>
  );
}
