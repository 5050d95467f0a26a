import { Show, type JSX } from "solid-js";
import { ApiError } from "../api/client";

/** Why something failed, in words: the server's detail when it gave one. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === undefined) return `The server did not answer (${error.detail ?? "network error"}).`;
    return error.detail ? `${error.detail} (HTTP ${error.status})` : `The server answered HTTP ${error.status}.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A failed load or action, announced to screen readers, with a retry when one makes sense. */
export function ErrorNote(props: { error: unknown; retry?: () => void }) {
  return (
    <div class="note note-error" role="alert">
      <p>{errorText(props.error)}</p>
      <Show when={props.retry}>
        {(retry) => (
          <button type="button" onClick={() => retry()()}>
            Try again
          </button>
        )}
      </Show>
    </div>
  );
}

/** What a list looks like with nothing in it: what to do next, not just "no data". */
export function Empty(props: { title: string; children?: JSX.Element }) {
  return (
    <div class="note">
      <p>
        <strong>{props.title}</strong>
      </p>
      {props.children}
    </div>
  );
}

/**
 * Renders a resource once loaded; its error (never a blank page) with a retry otherwise. Reading a
 * failed resource throws in Solid, so the error is checked first. `latest` keeps what is shown on screen
 * while a refetch runs, where reading the resource itself would suspend the whole page until it ends.
 */
export function Loaded<T>(props: {
  resource: { (): T | undefined; latest: T | undefined; error: unknown; loading: boolean };
  retry?: () => void;
  children: (value: T) => JSX.Element;
}) {
  return (
    <Show when={!props.resource.error} fallback={<ErrorNote error={props.resource.error} retry={props.retry} />}>
      <Show when={props.resource.latest} fallback={<p class="muted" aria-busy="true">Loading…</p>} keyed>
        {(value) => props.children(value)}
      </Show>
    </Show>
  );
}
