import type { ErrorBody } from "../../../protocol/common";
import { HttpError } from "../client/http";
import type { ScheduleFlags } from "./args";
import { CliError } from "./errors";
import { shellWord } from "./format";

/*
 * The server refuses a bad request with 422 and `{ detail, errors: [{ path, message }] }`, paths naming
 * fields of the request (`body.schedules.0.schedule.cron`, `parameters.currency`: worker/validate.ts and
 * the checks after it). A command that built the request from flags knows which flag filled which field,
 * so it says so here, and the refusal is told in the words the user typed (`--cron "bad": …`).
 */

/** A field of the request that a flag filled: its path in the body (`*` matches one segment) and what was typed. */
export interface FlagField {
  path: string;
  /** The flag as typed, e.g. `--param currency=JPY` or `--cron '61 * * * *'`. */
  flag: string;
  /** Only the field itself, not what is below it (`parameters` as a whole: a required one missing). */
  exact?: boolean;
}

type Issue = NonNullable<ErrorBody["errors"]>[number];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Matches `path` and anything below it; a parameter name may itself hold dots, so segments are not split. */
function matcher(field: FlagField): RegExp {
  const parts = field.path.split(/(\*)/).map((part) => (part === "*" ? "[^.]+" : escape(part)));
  return new RegExp(`^${parts.join("")}${field.exact ? "$" : "(?:\\.|$)"}`);
}

/** The flag that filled the issue's field: the most specific one (a timezone's own field over its schedule's). */
function flagOf(issue: Issue, fields: readonly FlagField[]): FlagField | undefined {
  // Flags only ever fill the body; some checks name fields without the `body.` prefix.
  const path = (issue.path ?? "").replace(/^body(?:\.|$)/, "");
  return fields.filter((f) => matcher(f).test(path)).sort((a, b) => b.path.length - a.path.length)[0];
}

/**
 * A 422 whose issues sit in fields the flags filled, as a one-line CliError naming the flags (an issue no
 * flag explains keeps the server's path). Undefined for anything else, which is told as before.
 */
export function flagIssuesError(error: unknown, fields: readonly FlagField[]): CliError | undefined {
  if (!(error instanceof HttpError) || error.status !== 422) return undefined;
  const issues = (error.body as Partial<ErrorBody> | undefined)?.errors ?? [];
  const named = issues.map((issue) => ({ issue, field: flagOf(issue, fields) }));
  if (!named.some((n) => n.field)) return undefined;
  const lines = named.map(({ issue, field }) => `${field ? field.flag : issue.path || "request"}: ${issue.message}`);
  return new CliError("E_HTTP_422", lines.join("; "), { cause: error });
}

/** Awaits a request whose body the flags filled; its 422 names the flags (flagIssuesError). */
export async function naming<T>(fields: readonly FlagField[], request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    throw flagIssuesError(error, fields) ?? error;
  }
}

/** A flag and its value as they would be typed again: `--cron '61 * * * *'`, `--interval 15m`. */
export const typed = (flag: string, value: string) => `${flag} ${shellWord(value)}`;

/** `--param k=v` pairs (or `--trigger-param`): each names the parameter it filled under `at` (`parameters`). */
export function paramFields(pairs: readonly string[], at: string, flag = "--param"): FlagField[] {
  // The last pair of a name is the value sent (args.ts parseParams), so it is the one named.
  const byKey = new Map(pairs.map((pair) => [pair.slice(0, pair.indexOf("=")).trim(), pair]));
  return [...byKey].map(([key, pair]) => ({ path: `${at}.${key}`, flag: typed(flag, pair) }));
}

/**
 * The schedule flags (args.ts scheduleFromFlags) as the schedule at `at` (`schedules.0.schedule`): a
 * problem of the whole schedule (a zone that does not exist is one) names every schedule flag given.
 */
export function scheduleFields(flags: ScheduleFlags, at: string): FlagField[] {
  const kind = (["interval", "cron", "rrule"] as const).find((k) => flags[k] !== undefined);
  if (!kind) return [];
  const own = typed(`--${kind}`, flags[kind]!);
  const zone = flags.timezone?.trim() ? typed("--timezone", flags.timezone.trim()) : undefined;
  return [
    { path: at, flag: zone ? `${own} ${zone}` : own },
    { path: `${at}.${kind}`, flag: own },
    ...(zone ? [{ path: `${at}.timezone`, flag: zone }] : []),
  ];
}
