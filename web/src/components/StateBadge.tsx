import { DEFAULT_STATE_NAMES, type StateType } from "../../../protocol/states";

/** A run or task state. Its colour comes from the state type (styles.css); `name` refines it, e.g. "Late". */
export function StateBadge(props: { type: StateType; name?: string }) {
  return (
    <span class="state-badge" data-state={props.type}>
      {props.name ?? DEFAULT_STATE_NAMES[props.type]}
    </span>
  );
}
