import Table from "cli-table3";
import pc from "picocolors";
import type { StateType } from "../../../protocol/states";

/*
 * How the CLI shows things to people: borderless tables, aligned details, coloured states, short times.
 * Colours follow picocolors (off when piped or with NO_COLOR), so piped output is plain text.
 */

type Cell = string | number | boolean | null | undefined;

const NO_BORDERS = {
  top: "", "top-mid": "", "top-left": "", "top-right": "",
  bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
  left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  ",
};

/** A table with a bold header row and columns two spaces apart; `empty` is said when there are no rows. */
export function table(head: string[], rows: Cell[][], empty = "Nothing to show."): string {
  if (rows.length === 0) return pc.dim(empty);
  const t = new Table({
    head: head.map((h) => pc.bold(h)),
    chars: NO_BORDERS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  t.push(...rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === "" ? pc.dim("-") : String(cell)))));
  return t
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** Label/value lines with the values aligned, for `inspect`. */
export function details(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${pc.dim(label.padEnd(width))}  ${value === null || value === undefined || value === "" ? pc.dim("-") : value}`).join("\n");
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

const STATE_COLOURS: Record<StateType, (s: string) => string> = {
  SCHEDULED: pc.yellow,
  PENDING: pc.gray,
  RUNNING: pc.blue,
  COMPLETED: pc.green,
  FAILED: pc.red,
  CANCELLED: pc.gray,
  CANCELLING: pc.gray,
  CRASHED: pc.magenta,
  PAUSED: pc.gray,
};

/** A state shown by its name (Late, AwaitingRetry, Cached…), coloured by its type. */
export function stateText(type: StateType | null | undefined, name?: string | null): string {
  if (!type) return pc.dim("-");
  return STATE_COLOURS[type](name || type);
}

/** Local date and time to the second: `2026-11-25 15:10:31`. */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `3m 4s`, `1.2s`, `2h 5m`, `3d 4h`. */
export function duration(seconds: number): string {
  if (seconds < 10) return `${Math.round(seconds * 10) / 10}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ""}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)}m` : ""}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)}h` : ""}`;
}

/** `in 57s` or `3m ago`, from `now`. */
export function relative(iso: string, now = Date.now()): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  return seconds >= 0 ? `in ${duration(seconds)}` : `${duration(-seconds)} ago`;
}

/** A schedule in a few words: `every 1h`, `cron 0 9 * * * (Europe/Berlin)`, `rrule FREQ=DAILY`. */
export function scheduleText(schedule: Record<string, unknown>): string {
  const zone = typeof schedule.timezone === "string" && schedule.timezone !== "UTC" ? ` (${schedule.timezone})` : "";
  if (typeof schedule.interval === "number") return `every ${duration(schedule.interval)}`;
  if (typeof schedule.cron === "string") return `cron ${schedule.cron}${zone || " (UTC)"}`;
  if (typeof schedule.rrule === "string") return `rrule ${schedule.rrule.replace(/\s*\n\s*/g, " ")}${zone}`;
  return JSON.stringify(schedule);
}

/** A word as it must be typed in a POSIX shell: quoted only when needed. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A baton command as a hint tells people to type it: through npx, as the README does, since the
 * executable lives in the project's node_modules/.bin, not on PATH.
 */
export const npxBaton = (command: string) => `npx baton ${command}`;
