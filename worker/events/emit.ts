import type { Context } from "hono";
import type { Event, EventCreate } from "../../protocol/events";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { utcTime } from "../orchestration";
import { eventsEmitted, type StreamEvent } from "../stream/events";
import { sendToHub } from "../stream/hub-client";
import { triggerEngine } from "../triggers/engine";
import { withDurableRetries } from "../triggers/retry";
import type { AppEnv } from "../types";
import { insertEvents } from "./store";

/*
 * The one path of every event (REST, webhooks, Baton's own): store, then hand on to the live stream and
 * the trigger engine. Storing is what the caller waits for; handing on never fails the caller once
 * the events are stored (errors are logged). A resent event (same id and time) is stored once and
 * handed on again: the trigger engine's dedupe (per event id) makes that harmless, and it recovers an
 * event whose first hand-on was lost.
 */

/** An event to emit: an EventCreate a client sent (validated), one Baton built, or an Event already complete. */
export type EventInput = Omit<EventCreate, "related" | "payload"> & Partial<Pick<EventCreate, "related" | "payload">> & { received?: string };

/** Events per RPC to the trigger engine (a scheduler tick may hand thousands at once). */
const RPC_BATCH = 500;

export type EmitOptions = {
  /** Handed on like the others but not stored (task-run states: DESIGN.md's task run write budget). */
  transient?: readonly EventInput[];
  /** Hand on in the background (a request's waitUntil) instead of before returning. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Stream messages to send in the same call to the hub (the publish hook's own: one RPC, not two). */
  withStream?: readonly StreamEvent[];
};

/** A complete event: a new id, the server's time where the sender gave none, times as sortable UTC text. */
export function completeEvent(e: EventInput, received: string): Event {
  return {
    id: e.id ?? crypto.randomUUID(),
    occurred: e.occurred ? utcTime(e.occurred) : received,
    received: e.received ?? received,
    event: e.event,
    resource: e.resource,
    related: e.related ?? [],
    payload: e.payload ?? {},
  };
}

/** Stores the events (throws when storing fails: nothing was stored), then hands them on. Answers them complete. */
export async function emitEvents(env: Env, input: readonly EventInput[], opts: EmitOptions = {}): Promise<Event[]> {
  const now = new Date().toISOString();
  const stored = input.map((e) => completeEvent(e, now));
  const transient = (opts.transient ?? []).map((e) => completeEvent(e, now));
  if (stored.length > 0) await insertEvents(createDb(env.DB), stored);
  const handOn = handOnEvents(env, [...stored, ...transient], opts.withStream);
  if (opts.waitUntil) opts.waitUntil(handOn);
  else await handOn;
  return stored;
}

/** Live stream and trigger engine, in parallel; never throws. */
export async function handOnEvents(env: Env, events: readonly Event[], withStream: readonly StreamEvent[] = []): Promise<void> {
  if (events.length === 0) {
    if (withStream.length > 0) await sendToHub(env, withStream).catch((e) => console.error("event stream: publish failed", e));
    return;
  }
  const evaluate = async () => {
    for (let i = 0; i < events.length; i += RPC_BATCH) {
      const batch = events.slice(i, i + RPC_BATCH);
      // A new stub per attempt: a stub whose object was reset stays broken.
      await withDurableRetries(() => triggerEngine(env).evaluate(batch));
    }
  };
  await Promise.all([
    sendToHub(env, [...withStream, ...eventsEmitted(events)]).catch((e) => console.error("events: live stream publish failed", e)),
    evaluate().catch((e) => console.error("events: trigger evaluation failed", e)),
  ]);
}

/** Emits in the background: Baton's own events never slow or fail the call that caused them. */
export function emitInBackground(waitUntil: (promise: Promise<unknown>) => void, env: Env, input: readonly EventInput[], opts: Omit<EmitOptions, "waitUntil"> = {}): void {
  if (input.length === 0 && (opts.transient?.length ?? 0) === 0) return;
  waitUntil(emitEvents(env, input, opts).catch((e) => console.error("events: emit failed", e)));
}

/** From a route: Baton's own events of the change it made, after the answer went out. */
export function emitLater(c: Context<AppEnv>, input: readonly EventInput[]): void {
  emitInBackground((p) => c.executionCtx.waitUntil(p), c.env, input);
}
