import type * as v from "valibot";
import type { ScheduleDefinition } from "../../../protocol/schedules";
import { UsageError } from "./errors";
import { npxBaton } from "./format";

/*
 * Parsing of what people type on the command line. Mistakes here are usage errors (exit code 2): the
 * command line itself is wrong, nothing was asked of the server.
 */

/** Every value of a flag that may be repeated (`--param a=1 --param b=2`); citty keeps only the last one. */
export function repeated(rawArgs: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const word = rawArgs[i]!;
    if (word === "--") break;
    if (word === `--${name}`) {
      const value = rawArgs[i + 1];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      values.push(value);
      i++;
    } else if (word.startsWith(`--${name}=`)) {
      values.push(word.slice(name.length + 3));
    }
  }
  return values;
}

/**
 * `--param k=v` pairs into parameters: `v` is read as JSON when it is JSON (`n=3`, `tags=["a"]`), else
 * kept as text; but a parameter the flow's schema says is a string stays text (`zip=01234`, `name=3`).
 */
export function parseParams(pairs: string[], schema?: Record<string, unknown> | null): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const key = at < 0 ? "" : pair.slice(0, at).trim();
    if (!key) throw new UsageError(`--param expects key=value, got ${JSON.stringify(pair)}`, "For example: --param name=Ada --param count=3");
    const text = pair.slice(at + 1);
    parameters[key] = takesText(schema, key) ? text : parseValue(text);
  }
  return parameters;
}

function takesText(schema: Record<string, unknown> | null | undefined, key: string): boolean {
  const property = (schema?.properties as Record<string, { type?: unknown }> | undefined)?.[key];
  const types = Array.isArray(property?.type) ? property.type : [property?.type];
  return types.includes("string") && types.every((t) => t === "string" || t === "null");
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const NAME_HINT = `Deployments are named <flow>/<deployment>, e.g. hello-flow/my_first_deployment; \`${npxBaton("deployment ls")}\` lists them.`;

/** `flow-name/deployment-name`, the way deployments are addressed (names cannot contain "/"). */
export function splitDeploymentName(value: string): { flow: string; name: string } {
  const parts = value.split("/");
  const [flow, name] = parts.map((part) => part.trim());
  if (parts.length !== 2 || !flow || !name) throw new UsageError(`Invalid deployment name ${JSON.stringify(value)}`, NAME_HINT);
  return { flow, name };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The start of a UUID with at least its first 8 hex digits, as people copy ids from `flow-run ls` (git
 * takes commit ids so too); dashes only where a UUID has them.
 */
const UUID_PREFIX = /^[0-9a-f]{8}(?:-[0-9a-f]{0,4}(?:-[0-9a-f]{0,4}(?:-[0-9a-f]{0,4}(?:-[0-9a-f]{0,12})?)?)?)?$/;

/** A flow run id as given: a whole UUID, or a start of one with at least 8 hex digits (`8eab3003`). */
export function runId(value: string): { id: string } | { prefix: string } {
  const text = value.trim().toLowerCase();
  if (UUID.test(text)) return { id: text };
  if (UUID_PREFIX.test(text)) return { prefix: text };
  throw new UsageError(
    `${JSON.stringify(value)} is not a flow run id`,
    `Flow run ids are UUIDs, or their first 8 or more characters; \`${npxBaton("flow-run ls")}\` shows them.`,
  );
}

export function positiveInt(value: string | undefined, flag: string, max = 1_000_000): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > max) throw new UsageError(`${flag} expects a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds between runs: `60`, or with a unit: `90s`, `15m`, `2h`, `1d`. */
export function intervalSeconds(value: string): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[(match[2] || "s").toLowerCase()]! : 0;
  if (seconds < 1) throw new UsageError(`--interval expects seconds (60) or a duration (15m, 2h, 1d), got ${JSON.stringify(value)}`);
  return seconds;
}

/** A schedule as sent to the server (defaults filled in there). */
export type ScheduleInput = v.InferInput<typeof ScheduleDefinition>;

export interface ScheduleFlags {
  interval?: string;
  cron?: string;
  rrule?: string;
  timezone?: string;
}

/**
 * The schedule the flags describe, if any. Whether a cron parses or a zone exists is the server's to say
 * (it answers 422 with the reason), so the rules live in one place.
 */
export function scheduleFromFlags(flags: ScheduleFlags): ScheduleInput | undefined {
  const given = (["interval", "cron", "rrule"] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) throw new UsageError(`Give one of --interval, --cron or --rrule, not ${given.map((k) => `--${k}`).join(" and ")}`);
  const timezone = flags.timezone?.trim() || undefined;
  if (flags.interval !== undefined) return { interval: intervalSeconds(flags.interval), ...(timezone ? { timezone } : {}) };
  if (flags.cron !== undefined) return { cron: flags.cron, timezone: timezone ?? "UTC", day_or: true };
  if (flags.rrule !== undefined) return { rrule: flags.rrule, timezone: timezone ?? null };
  if (timezone) throw new UsageError("--timezone goes with --cron, --rrule or --interval");
  return undefined;
}
