/*
 * Times and durations as every page shows them: relative ("3 min ago") for scanning, absolute in the
 * viewer's own time zone for precision (put it in a `title` or next to the relative one).
 */

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });
const absoluteFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});
const zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" });

function toMs(time: string | number | Date): number {
  return time instanceof Date ? time.getTime() : typeof time === "number" ? time : Date.parse(time);
}

/** "5 min ago", "in 2 hr"; "now" within a few seconds. Empty for a missing or unreadable time. */
export function formatRelative(time: string | number | Date | null | undefined, now: number = Date.now()): string {
  if (time == null) return "";
  const ms = toMs(time);
  if (Number.isNaN(ms)) return "";
  const seconds = (ms - now) / 1000;
  if (Math.abs(seconds) < 5) return "now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return "";
}

/** The date and time in the viewer's zone, with the zone's name: "12 Mar 2026, 14:03:07 CET". */
export function formatAbsolute(time: string | number | Date | null | undefined): string {
  if (time == null) return "";
  const ms = toMs(time);
  if (Number.isNaN(ms)) return "";
  const zone = zoneName.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value;
  return zone ? `${absoluteFormat.format(ms)} ${zone}` : absoluteFormat.format(ms);
}

/** A clock time for timelines and logs: "14:03:07.120". */
export function formatClock(time: string | number | Date): string {
  const d = new Date(toMs(time));
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "850 ms", "12.3 s", "4m 05s", "2h 07m", "3d 4h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 3_600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${pad(Math.floor((s % 3_600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
}

/** Seconds between two times, or from `start` until now while it has not ended. */
export function elapsedSeconds(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, (to - from) / 1000);
}

/** Thousands separated in the viewer's locale. */
export const formatCount = (n: number): string => n.toLocaleString();
