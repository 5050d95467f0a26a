/**
 * The scheduler benchmark's workload: 10,000 active schedules on 2,000 deployments (5 each, 10 deployments
 * per flow, 10 work pools), a fixed mix of interval, cron (with time zones, most of them with DST, 5- and
 * 6-field, times in DST gaps and repeated hours) and rrule schedules (with zones, a DTSTART with TZID).
 * The bench entry parses and checks each definition as the API would and writes the rows straight into D1
 * (bench/scheduler/seed.ts).
 *
 * Why straight SQL and not the API: creating a schedule through the API runs the scheduler for its
 * deployment at once (worker/routes/schedule-soon.ts), so the first cron tick would find every schedule
 * already filled and measure nothing. A few INSERT … SELECT FROM json_each statements take well under a
 * second for all 10,000.
 */
import { randomUUID } from "node:crypto";

export const ZONES = [
  "UTC",
  "Europe/London",
  "Europe/Berlin",
  "America/New_York",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Australia/Sydney",
  "Pacific/Auckland",
  "Asia/Kolkata",
  "Asia/Tokyo",
];
const INTERVALS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400];
const CRONS = [
  "* * * * *",
  "*/5 * * * *",
  "*/15 * * * *",
  "0 * * * *",
  "15 */2 * * *",
  // In a spring-forward gap, or a fall-back repeated hour, in most DST zones.
  "30 2 * * *",
  "30 1 * * *",
  "0 9 * * 1-5",
  "0 6,18 * * *",
  "0 0 1 * *",
  "45 23 * * 5",
  // Day of month OR day of week (Vixie cron), and 6 fields with seconds.
  "0 8 1-7 * 1",
  "0 */10 * * * *",
];
const RRULES = [
  "FREQ=HOURLY;INTERVAL=2",
  "FREQ=MINUTELY;INTERVAL=15",
  "FREQ=DAILY;BYHOUR=9;BYMINUTE=30",
  "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
  "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=8;BYMINUTE=0",
  "FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=6;BYMINUTE=0",
];
/** An rrule that names its zone in DTSTART (and starts at a time in New York's spring-forward gap). */
const RRULE_WITH_TZID = "DTSTART;TZID=America/New_York:20300310T023000\nRRULE:FREQ=DAILY";

export type Workload = {
  pools: [string, string][];
  flows: [string, string][];
  deployments: [string, string, string, string, string][];
  /** id, deployment id, definition (as a client sends it), parameters. */
  schedules: [string, string, unknown, Record<string, unknown>][];
  kinds: { interval: number; cron: number; rrule: number };
};

/** A small deterministic generator, so that every run has the same schedules (and creates the same runs). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeWorkload({ deployments = 2000, perDeployment = 5, perFlow = 10, pools = 10 } = {}): Workload {
  const next = random(8);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const anchorBase = Date.UTC(2031, 0, 1);
  const definition = (i: number): unknown => {
    const slot = i % 10;
    if (slot < 4) {
      const interval = pick(INTERVALS);
      const anchor = new Date(anchorBase + Math.floor(next() * interval) * 1000).toISOString();
      return { interval, anchor_date: anchor, timezone: pick(ZONES) };
    }
    if (slot < 8) return { cron: pick(CRONS), timezone: pick(ZONES), day_or: true };
    if (slot === 9 && next() < 0.2) return { rrule: RRULE_WITH_TZID, timezone: null };
    return { rrule: pick(RRULES), timezone: pick(ZONES) };
  };

  const w: Workload = { pools: [], flows: [], deployments: [], schedules: [], kinds: { interval: 0, cron: 0, rrule: 0 } };
  for (let p = 0; p < pools; p++) w.pools.push([randomUUID(), `bench-pool-${p}`]);
  let flowId = "";
  for (let d = 0; d < deployments; d++) {
    if (d % perFlow === 0) {
      flowId = randomUUID();
      w.flows.push([flowId, `bench-flow-${d / perFlow}`]);
    }
    const depId = randomUUID();
    w.deployments.push([depId, flowId, `dep-${d}`, w.pools[d % pools]![0], JSON.stringify({ n: d, label: "bench" })]);
    for (let s = 0; s < perDeployment; s++) {
      const def = definition(d * perDeployment + s) as object;
      w.kinds["interval" in def ? "interval" : "cron" in def ? "cron" : "rrule"]++;
      w.schedules.push([randomUUID(), depId, def, s === 0 ? { schedule_override: true } : {}]);
    }
  }
  return w;
}
