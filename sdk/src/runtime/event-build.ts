import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import * as v from "valibot";
import { jsonBytes } from "../../../protocol/common";
import { EventCreate, RESOURCE_ID, RESOURCE_NAME, RESOURCE_ROLE } from "../../../protocol/events";
import type { OutgoingEvent } from "../client/event-shipper";
import type { RunContext } from "./context";

export type Labels = Record<string, string>;

/** The server stores an event in one D1 row and refuses one over 512 KB of JSON (POST /api/events). */
const MAX_EVENT_BYTES = 512 * 1024;

export interface EmitEventOptions {
  /**
   * What the event is about: labels with a `baton.resource.id`, or just the id as a string. Inside a flow
   * run it defaults to the run (`baton.flow-run.<id>`); elsewhere to this machine (`baton.host.<hostname>`).
   */
  resource?: string | Labels;
  /** Other resources involved, each with a `baton.resource.role`; inside a run its flow run and task run are added. */
  related?: Labels[];
  /** Any JSON object (at most 256 KB). */
  payload?: Record<string, unknown>;
  /** When it happened; default now. */
  occurred?: Date | string;
  /** The event's id (a UUID); default a new one. Emitting the same id again stores the event once. */
  id?: string;
}

const labelsOf = (resource: string | Labels): Labels => (typeof resource === "string" ? { [RESOURCE_ID]: resource } : { ...resource });

/** The resource of an event emitted outside any run: the machine it came from. */
export function hostResource(host = hostname()): Labels {
  return { [RESOURCE_ID]: `baton.host.${host}`, [RESOURCE_NAME]: host };
}

/**
 * The event `emitEvent` sends: defaults filled in from the run it is emitted in (or the host outside
 * one), the run's flow run and task run added as related resources, then checked against the API's own
 * schema so a mistake is thrown at the call rather than refused later by the server.
 */
export function buildEvent(name: string, options: EmitEventOptions, run: RunContext | undefined, now = new Date()): OutgoingEvent {
  const related = (options.related ?? []).map(labelsOf);
  const flowRun = run ? { [RESOURCE_ID]: `baton.flow-run.${run.flowRun.id}`, [RESOURCE_NAME]: run.flowRun.name } : undefined;
  const resource = options.resource !== undefined ? labelsOf(options.resource) : (flowRun ?? hostResource());
  const has = (id: string) => resource[RESOURCE_ID] === id || related.some((r) => r[RESOURCE_ID] === id);
  if (flowRun && !has(flowRun[RESOURCE_ID]!)) related.push({ ...flowRun, [RESOURCE_ROLE]: "flow-run" });
  const taskRun = run?.taskRun;
  if (taskRun && !has(`baton.task-run.${taskRun.id}`)) {
    related.push({ [RESOURCE_ID]: `baton.task-run.${taskRun.id}`, [RESOURCE_NAME]: taskRun.name, [RESOURCE_ROLE]: "task-run" });
  }
  const occurred = options.occurred === undefined ? now : new Date(options.occurred);
  const event = {
    id: options.id ?? randomUUID(),
    occurred: Number.isNaN(occurred.getTime()) ? String(options.occurred) : occurred.toISOString(),
    event: name,
    resource,
    related,
    payload: options.payload ?? {},
  };
  const checked = v.safeParse(EventCreate, event);
  if (!checked.success) {
    const issue = checked.issues[0];
    throw new TypeError(`event ${JSON.stringify(name)}: ${v.getDotPath(issue) ?? "event"} ${issue.message}`);
  }
  const bytes = jsonBytes(event);
  if (bytes > MAX_EVENT_BYTES) throw new TypeError(`event ${JSON.stringify(name)}: is ${bytes} bytes of JSON, at most ${MAX_EVENT_BYTES}`);
  return event;
}
