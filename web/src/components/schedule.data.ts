import * as v from "valibot";
import {
  DeploymentScheduleCreate,
  type Catchup,
  type DeploymentSchedule,
  type ScheduleDefinition,
} from "../../../protocol/schedules";
import { formatDuration } from "../format";

export type ScheduleKind = "interval" | "cron" | "rrule";

/** What the schedule editor holds: text as typed, so it can say what is wrong before the server does. */
export interface ScheduleDraft {
  kind: ScheduleKind;
  interval: string;
  intervalUnit: "seconds" | "minutes" | "hours" | "days";
  cron: string;
  rrule: string;
  timezone: string;
  active: boolean;
  catchup: Catchup;
}

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400 } as const;

export function emptyDraft(): ScheduleDraft {
  return {
    kind: "interval",
    interval: "1",
    intervalUnit: "hours",
    cron: "0 * * * *",
    rrule: "FREQ=DAILY;BYHOUR=9",
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    active: true,
    catchup: "latest",
  };
}

/** The editor's draft for an existing schedule. */
export function draftOf(schedule: DeploymentSchedule): ScheduleDraft {
  const draft = { ...emptyDraft(), active: schedule.active, catchup: schedule.catchup };
  const def = schedule.schedule;
  const timezone = def.timezone ?? "UTC";
  if ("interval" in def) {
    const unit = (["days", "hours", "minutes"] as const).find((u) => def.interval % UNIT_SECONDS[u] === 0) ?? "seconds";
    return { ...draft, kind: "interval", interval: String(def.interval / UNIT_SECONDS[unit]), intervalUnit: unit, timezone };
  }
  if ("cron" in def) return { ...draft, kind: "cron", cron: def.cron, timezone };
  return { ...draft, kind: "rrule", rrule: def.rrule, timezone };
}

export type DraftResult = { ok: true; body: DeploymentScheduleCreate } | { ok: false; error: string };

/** The API body for a draft, checked with the server's own schema so the messages match its 422s. */
export function bodyOf(draft: ScheduleDraft): DraftResult {
  const timezone = draft.timezone.trim() || "UTC";
  let schedule: Record<string, unknown>;
  if (draft.kind === "interval") {
    const n = Number(draft.interval);
    if (draft.interval.trim() === "" || !Number.isFinite(n) || n <= 0) return { ok: false, error: "Interval must be a positive number" };
    schedule = { interval: Math.round(n * UNIT_SECONDS[draft.intervalUnit]), timezone };
  } else if (draft.kind === "cron") {
    schedule = { cron: draft.cron.trim(), timezone };
  } else {
    schedule = { rrule: draft.rrule.trim(), timezone };
  }
  const parsed = v.safeParse(DeploymentScheduleCreate, { schedule, active: draft.active, catchup: draft.catchup });
  if (parsed.success) return { ok: true, body: parsed.output };
  const issue = parsed.issues[0];
  const where = issue.path?.map((p) => String(p.key)).at(-1);
  return { ok: false, error: where && where !== "schedule" ? `${where} ${issue.message}` : issue.message };
}

/** One line saying when a schedule fires: "every 1h", "cron 0 9 * * 1-5 (Europe/Paris)". */
export function describeSchedule(def: ScheduleDefinition): string {
  const zone = def.timezone ? ` (${def.timezone})` : "";
  if ("interval" in def) return `every ${formatDuration(def.interval).replace(/ 00[sm]$/, "")}`;
  if ("cron" in def) return `cron ${def.cron}${zone}`;
  return `rrule ${def.rrule.replace(/\n/g, " ")}${zone}`;
}

/** The parts of the schedule form a server refusal can point at. */
export type ScheduleField = ScheduleKind | "timezone" | "catchup" | "active";

/**
 * Which field of the schedule form a 422 problem concerns (path as formPath gives it). The server names
 * the whole `schedule` for a bad cron, rrule or time zone alike, so the message tells the time zone apart,
 * and the rest belongs to the expression of the kind being edited.
 */
export function scheduleFieldOf(kind: ScheduleKind) {
  return (path: string[], message: string): ScheduleField | undefined => {
    const last = path.at(-1);
    if (last === "timezone" || /time ?zone/i.test(message)) return "timezone";
    if (last === "interval" || last === "cron" || last === "rrule" || last === "catchup" || last === "active") return last;
    return path.includes("schedule") ? kind : undefined;
  };
}
