import { For } from "solid-js";
import type { State } from "../../../protocol/states";
import { formatAbsolute, formatClock } from "../format";
import { StateBadge } from "./StateBadge";
import { Time } from "./Time";

/** Every state the run went through, oldest first, with the message each carried. */
export function StateHistory(props: { states: readonly State[] }) {
  return (
    <ol class="state-history">
      <For each={props.states}>
        {(s) => (
          <li>
            <StateBadge type={s.type} name={s.name} />
            <time datetime={s.timestamp} title={formatAbsolute(s.timestamp)}>
              {formatClock(s.timestamp)}
            </time>
            <span class="muted">
              <Time value={s.timestamp} />
            </span>
            {s.message ? <span class="state-message">{s.message}</span> : null}
          </li>
        )}
      </For>
    </ol>
  );
}
