import { useSearchParams } from "@solidjs/router";
import { createComputed, createMemo, createSignal, For, on, onCleanup, Show, untrack } from "solid-js";
import "../runs.css";
import "../events.css";
import type { Event, EventPage } from "../../../protocol/events";
import { api } from "../api/client";
import { Command } from "../components/Command";
import { Empty, ErrorNote } from "../components/Feedback";
import { LiveIndicator } from "../components/LiveIndicator";
import { Page } from "../components/Page";
import { Time } from "../components/Time";
import { useLive } from "../live";
import { appendPage, eventsFilter, matchesPrefix, mergeEvents, payloadPreview, prefixFromParam, resourceDisplay } from "./events.data";

/** The events for the URL's prefix: first page, "load more", and live ones at the top. */
function createEventsList(prefix: () => string) {
  const [events, setEvents] = createSignal<readonly Event[]>([]);
  const [nextPage, setNextPage] = createSignal<string | null>(null);
  const [loaded, setLoaded] = createSignal(false);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  // Answers of an older prefix (or before a reconnect) are dropped: only the latest request counts.
  let generation = 0;

  async function reload() {
    const mine = ++generation;
    setEvents([]);
    setNextPage(null);
    setLoaded(false);
    setError(undefined);
    setLoading(true);
    try {
      const page = await api.post<EventPage>("/events/filter", eventsFilter(untrack(prefix)));
      if (mine !== generation) return;
      // Live events that came while the page was on its way are kept: merged, each id once.
      setEvents((live) => mergeEvents(page.events, live));
      setNextPage(page.next_page);
      setLoaded(true);
    } catch (e) {
      if (mine === generation) setError(() => e);
    } finally {
      if (mine === generation) setLoading(false);
    }
  }

  async function loadMore() {
    const token = nextPage();
    if (!token || loading()) return;
    const mine = generation;
    setLoading(true);
    try {
      const page = await api.post<EventPage>("/events/filter", eventsFilter(untrack(prefix), token));
      if (mine !== generation) return;
      setEvents((list) => appendPage(list, page.events));
      setNextPage(page.next_page);
    } catch (e) {
      if (mine === generation) setError(() => e);
    } finally {
      if (mine === generation) setLoading(false);
    }
  }

  createComputed(on(prefix, () => void reload()));
  onCleanup(() => void generation++);

  useLive(
    ["events"],
    (m) => {
      if (m.type === "event" && matchesPrefix(m.event, untrack(prefix))) setEvents((list) => mergeEvents(list, [m.event]));
    },
    () => void reload(),
  );

  return { events, nextPage, loaded, loading, error, reload, loadMore };
}

function Labels(props: { labels: Record<string, string> }) {
  return (
    <dl class="event-labels">
      <For each={Object.entries(props.labels)}>
        {([key, value]) => (
          <>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </>
        )}
      </For>
    </dl>
  );
}

/**
 * An event name that may wrap after its dots (baton.deployment. / updated), never inside a word. The
 * break points would read as spaces to screen readers: the button carries the name as its label.
 */
function DottedName(props: { name: string }) {
  return (
    <For each={props.name.split(".")}>
      {(part, i) => (
        <>
          {i() > 0 ? "." : ""}
          {i() > 0 ? <wbr /> : null}
          {part}
        </>
      )}
    </For>
  );
}

function EventRow(props: { event: Event }) {
  const [open, setOpen] = createSignal(false);
  const resource = () => resourceDisplay(props.event.resource);
  const detailsId = `event-${props.event.id}`;
  return (
    <>
      <tr
        class="event-row"
        // The whole row opens it; the button inside is the same for keyboards and screen readers.
        onClick={(e) => {
          if ((e.target as Element).closest("a, button")) return;
          setOpen((o) => !o);
        }}
      >
        <td class="event-time">
          <Time value={props.event.occurred} />
        </td>
        <th scope="row">
          <button type="button" class="event-toggle" aria-expanded={open()} aria-controls={detailsId} aria-label={props.event.event} onClick={() => setOpen((o) => !o)}>
            <DottedName name={props.event.event} />
          </button>
        </th>
        <td class="event-resource">
          <Show when={resource().href} fallback={resource().text}>
            {(href) => <a href={href()}>{resource().text}</a>}
          </Show>
        </td>
        <td class="event-preview">{payloadPreview(props.event.payload)}</td>
      </tr>
      <Show when={open()}>
        <tr class="event-details" id={detailsId}>
          <td colSpan={4}>
            <h3>Resource</h3>
            <Labels labels={props.event.resource} />
            <Show when={props.event.related.length > 0}>
              <h3>Related</h3>
              <For each={props.event.related}>{(related) => <Labels labels={related} />}</For>
            </Show>
            <h3>Payload</h3>
            <pre>
              <code>{JSON.stringify(props.event.payload, null, 2)}</code>
            </pre>
            <p class="muted">
              id {props.event.id} · received <Time value={props.event.received} />
            </p>
          </td>
        </tr>
      </Show>
    </>
  );
}

export default function Events() {
  const [params, setParams] = useSearchParams();
  const prefix = createMemo(() => prefixFromParam(params.prefix));
  const list = createEventsList(prefix);

  // The URL follows typing after a pause, so each keystroke is not a request.
  let typing: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(typing));
  const setPrefix = (value: string) => {
    clearTimeout(typing);
    typing = setTimeout(() => setParams({ prefix: value.trim() || undefined }, { replace: true }), 300);
  };

  return (
    <Page title="Events">
      <div class="page-bar">
        <p class="muted" aria-live="polite">
          <Show when={list.loaded()} fallback="Loading events…">
            {prefix() ? `Events whose name starts with ${prefix()}` : "Every event"}, newest first
          </Show>
        </p>
        <LiveIndicator />
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Name starts with
          <input
            type="search"
            value={prefix()}
            placeholder="baton.flow-run."
            spellcheck={false}
            onInput={(e) => setPrefix(e.currentTarget.value)}
          />
        </label>
      </form>
      <Show when={list.error()}>{(error) => <ErrorNote error={error()} retry={() => void list.reload()} />}</Show>
      <Show when={list.loaded() && list.events().length === 0}>
        <Show
          when={prefix()}
          fallback={
            <Empty title="No events yet">
              <p>
                Runs' state changes appear here as they happen (baton.flow-run.Running, baton.flow-run.Completed, …), with
                deployment, work-pool and worker changes. Emit your own from a flow (emitEvent), a webhook, or a terminal:
              </p>
              <Command>{'npx baton event emit order.shipped --resource shop.order.42 --payload \'{"items": 3}\''}</Command>
            </Empty>
          }
        >
          <Empty title="No events match this name">
            <p>Shorten the prefix, or clear it to see every event.</p>
          </Empty>
        </Show>
      </Show>
      <Show when={list.events().length > 0}>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Resource</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              <For each={list.events()}>{(event) => <EventRow event={event} />}</For>
            </tbody>
          </table>
        </div>
        <Show when={list.nextPage()}>
          <button type="button" class="load-more" disabled={list.loading()} onClick={() => void list.loadMore()}>
            {list.loading() ? "Loading…" : "Load more"}
          </button>
        </Show>
      </Show>
    </Page>
  );
}
