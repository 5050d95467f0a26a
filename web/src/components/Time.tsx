import { createSignal, Show } from "solid-js";
import { formatAbsolute, formatRelative } from "../format";

// One clock for every relative time on the page, so "2 min ago" keeps telling the truth without a reload.
const [now, setNow] = createSignal(Date.now());
setInterval(() => setNow(Date.now()), 15_000);
export { now };

/** A time shown relative ("3 min ago") with the absolute time in the viewer's zone on hover and to screen readers. */
export function Time(props: { value: string | null | undefined; fallback?: string }) {
  return (
    <Show when={props.value} fallback={<span class="muted">{props.fallback ?? "—"}</span>}>
      {(value) => (
        <time datetime={value()} title={formatAbsolute(value())}>
          {formatRelative(value(), now())}
        </time>
      )}
    </Show>
  );
}
