import * as v from "valibot";
import { JsonObject, Name } from "./common";
import { EventName } from "./events";

/*
 * A deployment trigger starts a run of its deployment when events match (Prefect's reactive event
 * trigger, simplified):
 * - `expect`: event names, `*` matching any run of characters (`baton.flow-run.*`); empty = any event;
 * - `match`: labels of the event's resource, each a pattern or a list of patterns (any may match);
 * - `match_related`: labels that one related resource must all match (`{"baton.resource.role":
 *   "deployment", "baton.resource.id": "baton.deployment.<id>"}` follows another deployment's runs);
 * - `threshold` events within `within` seconds fire it once (then counting starts again); threshold 1
 *   fires on every matching event;
 * - `parameters`: the run's parameters, templated from the event: a string that is exactly
 *   `{{ event.payload.path }}` takes that value as it is (number, object…), other strings have their
 *   `{{ … }}` parts replaced by text. Paths: `event.id`, `event.event`, `event.occurred`,
 *   `event.resource.<label>`, `event.payload.<dotted.path>` (`items[0].name` for lists).
 * One event never starts two runs of a trigger, even when delivered twice: the run's idempotency key is
 * `trigger:{trigger_id}:{event_id}`.
 *
 * Semantics where a choice had to be made:
 * - a threshold window is measured on the events' own `occurred` times: the event that arrives counts
 *   the trigger's unused events in (occurred − within, occurred], itself included; a redelivered event
 *   counts once; firing uses up every event counted so far (the window starts again empty), and the run
 *   gets the parameters of the event that reached the threshold;
 * - the run's parameters are the deployment's defaults with the rendered `parameters` over them, checked
 *   against the deployment's schema; the run's first state (Scheduled) says `Triggered by <event name>
 *   (<event id>)`;
 * - a run that cannot be created (paused deployment, parameters that do not fit) emits
 *   `baton.trigger.failed` about `baton.trigger.<id>` with the reason; a failure while reacting to a
 *   `baton.trigger.failed` event is only logged, so failing triggers cannot loop;
 * - a trigger ignores the state events of runs it started itself until they end, so `*` or
 *   `baton.flow-run.*` never loops on its own Scheduled runs (a loop through finished runs stays possible);
 * - sending `triggers` with a deployment replaces its set; a trigger sent again (same name, or else
 *   identical) keeps its id, so its window and its dedupe survive a redeploy.
 */

const Pattern = v.pipe(v.string(), v.minLength(1), v.maxLength(1024));
const Patterns = v.union([Pattern, v.pipe(v.array(Pattern), v.minLength(1), v.maxLength(50))]);
const LabelPatterns = v.pipe(
  v.record(v.pipe(v.string(), v.minLength(1), v.maxLength(200)), Patterns),
  v.check((r) => Object.keys(r).length <= 50, "at most 50 labels"),
);

export const MAX_TRIGGER_WITHIN_SECONDS = 86_400 * 7;

export const TriggerSpec = v.pipe(
  v.object({
    name: v.optional(v.nullable(Name), null),
    enabled: v.optional(v.boolean(), true),
    expect: v.optional(v.pipe(v.array(v.pipe(EventName)), v.maxLength(50)), []),
    match: v.optional(LabelPatterns, {}),
    match_related: v.optional(LabelPatterns, {}),
    threshold: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)), 1),
    within: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_TRIGGER_WITHIN_SECONDS)), 0),
    parameters: v.optional(JsonObject, {}),
  }),
  v.check((t) => t.threshold === 1 || t.within > 0, "a threshold above 1 needs `within` (seconds) greater than 0"),
);
export type TriggerSpec = v.InferOutput<typeof TriggerSpec>;

export const MAX_TRIGGERS_PER_DEPLOYMENT = 20;
export const TriggerSpecs = v.pipe(v.array(TriggerSpec), v.maxLength(MAX_TRIGGERS_PER_DEPLOYMENT, `at most ${MAX_TRIGGERS_PER_DEPLOYMENT} triggers`));

export const DeploymentTrigger = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  deployment_id: v.string(),
  name: v.nullable(v.string()),
  enabled: v.boolean(),
  expect: v.array(v.string()),
  match: v.record(v.string(), v.union([v.string(), v.array(v.string())])),
  match_related: v.record(v.string(), v.union([v.string(), v.array(v.string())])),
  threshold: v.number(),
  within: v.number(),
  parameters: v.record(v.string(), v.unknown()),
});
export type DeploymentTrigger = v.InferOutput<typeof DeploymentTrigger>;
