/**
 * CPU time used by a process and its descendants (the local server: node, and workerd under it), from
 * Linux's /proc. A count rather than a clock: CPU ms per task run says what the server spends on each,
 * however busy the machine was, and so what limits its throughput (one workerd thread runs D1 and the
 * pool's object). Elsewhere than Linux it answers undefined and the figures that need it are left out.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Parent pid and CPU ticks (user + system) of a /proc/[pid]/stat line; the name in parentheses may hold spaces. */
export function parseStat(line: string): { ppid: number; ticks: number } {
  const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
  // After the name: state(3) ppid(4) … utime(14) stime(15), counted from 1 with pid and name as 1 and 2.
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** CPU ms of `pid` and every process under it, or undefined when /proc cannot tell. */
export function treeCpuMs(pid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const e of entries) {
    try {
      stats.set(Number(e), parseStat(readFileSync(`/proc/${e}/stat`, "utf8")));
    } catch {
      // Gone meanwhile.
    }
  }
  if (!stats.has(pid)) return undefined;
  const children = new Map<number, number[]>();
  for (const [p, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), p]);
  let ticks = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    ticks += stats.get(p)?.ticks ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return (ticks * 1000) / clockTicks();
}

/** CPU ms the tree of `pid` uses while `work` runs (undefined off Linux). */
export async function cpuDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpuMs: number | undefined }> {
  const before = treeCpuMs(pid);
  const result = await work();
  const after = treeCpuMs(pid);
  return { result, cpuMs: before === undefined || after === undefined ? undefined : after - before };
}
