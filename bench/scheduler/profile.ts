/**
 * Where the scheduler tick's time goes: the benchmark's first tick (10,000 schedules) under a V8 CPU
 * profile of the Worker's isolate, taken through wrangler's inspector (Chrome DevTools protocol), with the
 * meter's D1 counts beside it. Local D1 runs in another workerd service, so its SQLite time shows here as
 * idle (the Worker waiting) and is reported from D1's own `meta.duration` instead.
 *
 * Usage: node_modules/.bin/tsx bench/scheduler/profile.ts [--save profile.cpuprofile]
 * Not part of `npm run bench`: it explains the figure, it is not one.
 */
import { copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { freePort } from "../../sdk/src/testing/free-port";
import { startBenchWorker } from "../cost/workerd";
import { CLOCK, fireTick, phases, seed } from "../scheduler";
import { makeWorkload } from "./workload";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** Which part of the code a function belongs to, by its bundled source position (wrangler bundles with source paths in names). */
function category(frame: CallFrame, sources: Map<string, string>): string {
  const name = frame.functionName;
  if (name === "(idle)" || name === "(program)" || name === "(garbage collector)") return name;
  const file = sources.get(`${frame.url}:${frame.lineNumber}`) ?? frame.url;
  return file || "(native / builtin)";
}

async function main() {
  const save = process.argv.indexOf("--save");
  const inspectorPort = await freePort();
  const worker = await startBenchWorker("bench/scheduler/entry.ts", { progress: (m) => console.error(m), inspectorPort });
  try {
    const workload = makeWorkload();
    await seed(worker, workload, CLOCK);
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string; id?: string }[];
    const target = targets.find((t) => !/ProxyWorker|InspectorProxy/i.test(t.title ?? "")) ?? targets[0];
    if (!target) throw new Error("no inspector target");
    // The inspector proxy accepts local origins only; Node's WebSocket takes headers as undici's extension.
    const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://localhost" } } as unknown as string[]);
    await new Promise((r, j) => {
      ws.addEventListener("open", r, { once: true });
      ws.addEventListener("error", j, { once: true });
    });
    let id = 0;
    const pending = new Map<number, (result: any) => void>();
    const scripts = new Map<string, string>();
    ws.addEventListener("message", (e) => {
      const msg = JSON.parse(String(e.data));
      if (msg.id && pending.has(msg.id)) pending.get(msg.id)!(msg.result ?? msg.error);
      if (msg.method === "Debugger.scriptParsed") scripts.set(msg.params.scriptId, msg.params.url);
    });
    const send = (method: string, params: object = {}) =>
      new Promise<any>((resolve) => {
        const n = ++id;
        pending.set(n, resolve);
        ws.send(JSON.stringify({ id: n, method, params }));
      });
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: 200 });
    await send("Profiler.start");
    const tick = await fireTick(worker, CLOCK, true);
    const { profile } = (await send("Profiler.stop")) as { profile: CpuProfile };
    ws.close();
    if (save > 0) {
      writeFileSync(process.argv[save + 1]!, JSON.stringify(profile));
      // The bundle the profile's line numbers refer to; wrangler deletes it when the Worker stops.
      const dir = readdirSync(".wrangler/tmp").filter((d) => d.startsWith("dev-")).map((d) => `.wrangler/tmp/${d}/entry.js`);
      const latest = dir.filter((f) => existsSync(f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
      if (latest) copyFileSync(latest, `${process.argv[save + 1]}.bundle.js`);
    }

    // Self time per function and per (bundled) function group.
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((nodeId, i) => self.set(nodeId, (self.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const byFunction = new Map<string, number>();
    for (const [nodeId, ms] of self) {
      const f = byId.get(nodeId)!.callFrame;
      const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    }
    // Inclusive time of the functions that stand for a phase of the tick.
    const parents = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
    const inclusive = new Map<string, number>();
    for (const [nodeId, ms] of self) {
      const seen = new Set<string>();
      for (let at: number | undefined = nodeId; at !== undefined; at = parents.get(at)) {
        const name = byId.get(at)!.callFrame.functionName;
        if (name && !seen.has(name)) {
          seen.add(name);
          inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
        }
      }
    }
    const rows = (m: Map<string, number>, n: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`)
        .join("\n");
    const p = phases(tick);
    console.log(`tick: ${tick.fire_ms.toFixed(0)} ms from here; runScheduler ${tick.tick.scheduler_ms.toFixed(0)} ms, tickAllPools ${tick.tick.pools_ms.toFixed(0)} ms`);
    console.log(`report: ${JSON.stringify(tick.tick.report)}`);
    console.log(`runScheduler's phases: ${JSON.stringify(p, (_k, x) => (typeof x === "number" ? Math.round(x) : x))}`);
    // The timeline grouped by who made the call and what it was.
    const groups = new Map<string, { n: number; ms: number; sql: number; w: number; r: number }>();
    for (const s of tick.meter.timeline ?? []) {
      const key = `${(s.scope ?? "object").padEnd(9)} ${s.kind} ${s.label.slice(0, 60)}`;
      const g = groups.get(key) ?? { n: 0, ms: 0, sql: 0, w: 0, r: 0 };
      g.n++;
      g.ms += s.end - s.start;
      g.sql += s.sql_ms ?? 0;
      g.w += s.rows_written ?? 0;
      g.r += s.rows_read ?? 0;
      groups.set(key, g);
    }
    console.log("\ncalls (who, what): count, wall ms, SQLite ms, rows written, rows read");
    for (const [k, g] of [...groups].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(`${String(g.n).padStart(4)} ${g.ms.toFixed(0).padStart(7)} ${g.sql.toFixed(0).padStart(6)} ${String(g.w).padStart(7)} ${String(g.r).padStart(7)}  ${k}`);
    }
    console.log(`\nCPU profile of the Worker isolate: ${total.toFixed(0)} ms sampled\n\nTop self time:\n${rows(byFunction, 40)}`);
    const phaseNames = ["planPage", "planFill", "scheduledRun", "fillStatements", "writePage", "dueSchedules", "publish", "nudgePools", "cronRunTimes", "rruleRunTimes", "intervalRunTimes", "compileCron", "compileRRule", "fastForward", "instantOf", "toWall", "offsetAt", "lastSlots", "nextRunTimes", "generateRunName", "decide", "initialStateValues", "chunks", "encode", "scheduledRunsCreated", "tickAllPools", "runScheduler"];
    console.log(`\nInclusive time of the tick's parts:\n${rows(new Map(phaseNames.filter((n) => inclusive.has(n)).map((n) => [n, inclusive.get(n)!])), 40)}`);
  } finally {
    await worker.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
