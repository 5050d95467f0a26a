import * as v from "valibot";
import { IsoDateTime, JsonObject, ListOf, Uuid } from "./common";

/*
 * Events (Prefect's shape, with `baton.` labels): something that happened, at a time, about a resource.
 * Baton emits them for flow-run and task-run state changes, deployment and work-pool changes and workers
 * going online/offline; users emit their own from flows (`emitEvent` in the SDK), over REST
 * (`POST /api/events`) and through webhooks (`POST /hooks/{slug}`). Deployment triggers start runs when
 * events match (protocol/triggers.ts).
 *
 * Names: `baton.flow-run.<StateName>` (e.g. baton.flow-run.Completed), `baton.task-run.<StateName>`,
 * `baton.deployment.{created,updated,deleted,paused,resumed}`, `baton.work-pool.{created,updated,deleted,
 * paused,resumed}`, `baton.worker.{online,offline}`, `webhook.received` (a webhook's default),
 * `file.{created,changed,deleted}` (`baton watch`), `baton.trigger.failed` (a trigger could not start its run),
 * or any name a user chooses.
 */

/** The label every resource has: what it is, e.g. `baton.flow-run.<uuid>`, `baton.deployment.<uuid>`, `file./data/in/a.csv`. */
export const RESOURCE_ID = "baton.resource.id";
/** Related resources say how they relate: `flow`, `deployment`, `work-pool`, `tag`, `flow-run`, `webhook`, … */
export const RESOURCE_ROLE = "baton.resource.role";
export const RESOURCE_NAME = "baton.resource.name";

export const EventName = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(1024, "must be at most 1024 characters"),
  v.regex(/^[^\s\u0000-\u001f]+$/, "must not contain spaces or control characters"),
);

const LabelValue = v.pipe(v.string(), v.maxLength(1024));
const Labels = v.pipe(
  v.record(v.pipe(v.string(), v.minLength(1), v.maxLength(200)), LabelValue),
  v.check((r) => Object.keys(r).length <= 50, "at most 50 labels"),
);

/** A resource: string labels, one of which is `baton.resource.id`. */
export const Resource = v.pipe(
  Labels,
  v.check((r) => typeof r[RESOURCE_ID] === "string" && r[RESOURCE_ID].length > 0, `must have a "${RESOURCE_ID}" label`),
);
export type Resource = v.InferOutput<typeof Resource>;

/** A related resource also says its role. */
export const RelatedResource = v.pipe(
  Resource,
  v.check((r) => typeof r[RESOURCE_ROLE] === "string" && r[RESOURCE_ROLE].length > 0, `must have a "${RESOURCE_ROLE}" label`),
);
export type RelatedResource = v.InferOutput<typeof RelatedResource>;

/** An event as a client sends it: id and occurred may be given (a retried send that keeps both is stored once: they are the key). */
export const EventCreate = v.object({
  id: v.optional(Uuid),
  occurred: v.optional(IsoDateTime),
  event: EventName,
  resource: Resource,
  related: v.optional(v.pipe(v.array(RelatedResource), v.maxLength(50, "at most 50 related resources")), []),
  payload: v.optional(JsonObject, {}),
});
export type EventCreate = v.InferOutput<typeof EventCreate>;

export const MAX_EVENTS_PER_REQUEST = 500;
/** `POST /api/events`: a batch, answered 202 with the ids in order. */
export const EventBatch = v.pipe(
  v.array(EventCreate),
  v.minLength(1, "send at least one event"),
  v.maxLength(MAX_EVENTS_PER_REQUEST, `at most ${MAX_EVENTS_PER_REQUEST} events per request`),
);
export const EventBatchAccepted = v.object({ ids: v.array(v.string()) });

/** A stored event, as `POST /api/events/filter` and the live stream answer it. */
export const Event = v.object({
  id: v.string(),
  occurred: v.string(),
  received: v.string(),
  event: v.string(),
  resource: v.record(v.string(), v.string()),
  related: v.array(v.record(v.string(), v.string())),
  payload: v.record(v.string(), v.unknown()),
});
export type Event = v.InferOutput<typeof Event>;

/** `POST /api/events/filter`: newest first, paged with the opaque `next_page` token of the previous answer. */
export const EventFilter = v.object({
  event: v.optional(
    v.object({
      /** Names starting with any of these (`baton.flow-run.` matches every flow-run event). */
      prefix: v.optional(ListOf(v.pipe(v.string(), v.maxLength(1024)))),
      /** Exact names. */
      name: v.optional(ListOf(EventName)),
    }),
  ),
  resource: v.optional(
    v.object({
      /** `baton.resource.id` equal to any of these. */
      id: v.optional(ListOf(v.pipe(v.string(), v.maxLength(1024)))),
      /** `baton.resource.id` starting with any of these. */
      id_prefix: v.optional(ListOf(v.pipe(v.string(), v.maxLength(1024)))),
      /** Every label given must be equal. */
      labels: v.optional(v.record(v.string(), LabelValue)),
    }),
  ),
  /** Any related resource has this `baton.resource.id` (e.g. every event of one deployment's runs). */
  related: v.optional(v.object({ id: v.optional(ListOf(v.pipe(v.string(), v.maxLength(1024)))) })),
  occurred: v.optional(v.object({ since: v.optional(IsoDateTime), until: v.optional(IsoDateTime) })),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500, "must be at most 500")), 50),
  next_page: v.optional(v.pipe(v.string(), v.maxLength(500))),
});
export type EventFilter = v.InferOutput<typeof EventFilter>;

export const EventPage = v.object({ events: v.array(Event), next_page: v.nullable(v.string()) });
export type EventPage = v.InferOutput<typeof EventPage>;
