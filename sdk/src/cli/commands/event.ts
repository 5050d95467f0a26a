import { defineCommand } from "citty";
import pc from "picocolors";
import { RESOURCE_ID, RESOURCE_NAME, type Event, type EventFilter, type EventPage } from "../../../../protocol/events";
import { out } from "../../output";
import { buildEvent } from "../../runtime/event-build";
import { apiClient } from "../api";
import { positiveInt, repeated } from "../args";
import { UsageError } from "../errors";
import { localTime, printJson, table } from "../format";

const json = { type: "boolean", description: "Print JSON instead of text" } as const;

/**
 * `--resource` values: `key=value` is a label, a bare value is the resource's id
 * (`--resource shop.order.42 --resource team=data`).
 */
export function resourceFromFlags(values: string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf("=");
    if (at < 0) labels[RESOURCE_ID] = value;
    else if (at === 0) throw new UsageError(`--resource expects an id or key=value, got ${JSON.stringify(value)}`);
    else labels[value.slice(0, at)] = value.slice(at + 1);
  }
  if (!labels[RESOURCE_ID]) throw new UsageError(`--resource needs the resource's id too: --resource <id> or --resource ${RESOURCE_ID}=<id>`);
  return labels;
}

export function payloadFromFlag(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--payload expects a JSON object, got ${JSON.stringify(text)}`, `For example: --payload '{"rows": 120}'`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UsageError("--payload expects a JSON object, not an array or a single value");
  return value as Record<string, unknown>;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO time, or a duration back from now (`30s`, `15m`, `2h`, `7d`). */
export function sinceFromFlag(value: string | undefined, now = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const ago = /^(\d+)\s*([smhd])$/i.exec(value.trim());
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2]!.toLowerCase()]!).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since expects a time (2026-11-25T10:00:00Z) or a duration back from now (15m, 2h, 7d), got ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
}

/** The filter `event ls` sends: `--resource` ending in `*` is a prefix of the id. */
export function eventFilter(args: { name?: string; resource?: string; since?: string; limit?: string }): EventFilter {
  const filter: EventFilter = { limit: positiveInt(args.limit ?? "20", "--limit", 500)! };
  if (args.name) filter.event = { prefix: [args.name] };
  if (args.resource) filter.resource = args.resource.endsWith("*") ? { id_prefix: [args.resource.slice(0, -1)] } : { id: [args.resource] };
  const since = sinceFromFlag(args.since);
  if (since) filter.occurred = { since };
  return filter;
}

const resourceText = (e: Event) => {
  const id = e.resource[RESOURCE_ID] ?? "";
  const name = e.resource[RESOURCE_NAME];
  return name && !id.endsWith(name) ? `${id} (${name})` : id;
};
const payloadText = (e: Event, width = 60) => {
  const text = JSON.stringify(e.payload);
  return text === "{}" ? "" : text.length > width ? `${text.slice(0, width - 1)}…` : text;
};

const emit = defineCommand({
  meta: { name: "baton event emit", description: "Emit an event (deployment triggers may start runs on it)" },
  args: {
    name: { type: "positional", required: true, description: "The event's name, e.g. order.shipped", valueHint: "name" },
    resource: { type: "string", description: "What it is about: its id, or a key=value label (repeatable); default this machine", valueHint: "id|k=v" },
    payload: { type: "string", description: "A JSON object", valueHint: "json" },
    json,
  },
  async run({ args, rawArgs }) {
    let event;
    try {
      event = buildEvent(args.name, { resource: resourceFromFlags(repeated(rawArgs, "resource")), payload: payloadFromFlag(args.payload) }, undefined);
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(`Invalid ${error.message}`);
      throw error;
    }
    await apiClient().post("/events", [event]);
    if (args.json) return printJson(event);
    out.success(`Emitted ${pc.bold(event.event)} (${event.id})`);
    out.info(pc.dim(`  About ${event.resource[RESOURCE_ID]}`));
  },
});

const ls = defineCommand({
  meta: { name: "baton event ls", description: "List recent events, newest first" },
  args: {
    name: { type: "string", description: "Only events whose name starts with this (baton.flow-run. or file.created)", valueHint: "prefix" },
    resource: { type: "string", description: "Only events about this resource id (ending in * for a prefix: file./data/in/*)", valueHint: "id" },
    since: { type: "string", description: "Only events since this time, or this long ago (15m, 2h, 7d)", valueHint: "time" },
    limit: { type: "string", description: "At most this many (up to 500)", default: "20", valueHint: "n" },
    json,
  },
  async run({ args }) {
    const page = await apiClient().post<EventPage>("/events/filter", eventFilter(args));
    if (args.json) return printJson(page.events);
    const rows = page.events.map((e) => [localTime(e.occurred), e.event, resourceText(e), payloadText(e)]);
    out.info(table(["TIME", "EVENT", "RESOURCE", "PAYLOAD"], rows, "No events."));
  },
});

export const event = defineCommand({
  meta: { name: "baton event", description: "Emit events and list them" },
  subCommands: { emit, ls },
});
