/**
 * The dashboard's weight and speed: the gzipped JavaScript and CSS of a production build (what the browser
 * downloads, whole and for the Runs page), and the time from navigation to the first row of the Runs page
 * with 100,000 runs in D1, in headless Chromium, against the real local server (`baton server start`,
 * which serves the production build).
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { build, type Manifest } from "vite";
import type { Benchmark, Figure } from "./harness/types";
import { withBenchServer, type BenchServer } from "./local-server";

const repoRoot = new URL("..", import.meta.url).pathname;
const RUNS = 100_000;
/** Vite prints sizes in kB of 1,000 bytes; the figures use the same unit so they read alike. */
const kB = (bytes: number) => bytes / 1000;

type Asset = { file: string; bytes: number; gzip: number };
type BuildSizes = { js: Asset[]; css: Asset[]; runsPage: { js: number; css: number } };

/** A production build into a directory of its own (web/dist, which a running server may serve, is left alone). */
async function measureBuild(): Promise<BuildSizes> {
  const outDir = await mkdtemp(join(tmpdir(), "baton-web-build-"));
  try {
    await build({
      configFile: join(repoRoot, "web/vite.config.ts"),
      logLevel: "error",
      build: { outDir, emptyOutDir: true, manifest: true },
    });
    const assets = readdirSync(join(outDir, "assets")).map((name): Asset => {
      const content = readFileSync(join(outDir, "assets", name));
      // zlib's default level, as Vite's own report and most servers use.
      return { file: `assets/${name}`, bytes: content.length, gzip: gzipSync(content).length };
    });
    const manifest = JSON.parse(readFileSync(join(outDir, ".vite/manifest.json"), "utf8")) as Manifest;
    const gzipOf = new Map(assets.map((a) => [a.file, a.gzip]));
    // What opening /runs fetches: the entry and the Runs page's lazy chunk, with what each imports statically.
    const files = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || files.has(chunk.file)) return;
      files.add(chunk.file);
      for (const css of chunk.css ?? []) files.add(css);
      for (const imported of chunk.imports ?? []) visit(imported);
    };
    visit("index.html");
    visit("src/pages/Runs.tsx");
    const sum = (ext: string) => [...files].filter((f) => f.endsWith(ext)).reduce((s, f) => s + (gzipOf.get(f) ?? 0), 0);
    const bySize = (a: Asset, b: Asset) => b.gzip - a.gzip;
    return {
      js: assets.filter((a) => a.file.endsWith(".js")).sort(bySize),
      css: assets.filter((a) => a.file.endsWith(".css")).sort(bySize),
      runsPage: { js: sum(".js"), css: sum(".css") },
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** The local server's D1 database: one SQLite file per database under the state directory. */
function d1File(server: BenchServer): string {
  const dir = join(server.home, "state/v3/d1/miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found: ${files.join(", ") || "none"}`);
  return join(dir, files[0]!);
}

/**
 * 100,000 finished runs of one deployment, one every 6 s over the last week, newest `bench-run-1`.
 *
 * Written straight into the server's D1 file with one INSERT … SELECT over a recursive counter, which
 * takes a second or two; through the API it would be 100,000 requests (D1 has no bulk flow-run create),
 * minutes of seeding for a figure about reading. It is safe while the server runs: the file is in WAL
 * mode, which SQLite shares between processes with its own locks, and nothing else writes meanwhile (no
 * schedules, no workers). The rows are shaped as the API writes them (same columns, ISO times, JSON
 * defaults), and the server's own count is checked before anything is measured.
 */
function seedRuns(server: BenchServer, ids: { flow: string; deployment: string; pool: string }): number {
  const db = new DatabaseSync(d1File(server));
  try {
    db.exec("PRAGMA busy_timeout = 30000");
    const started = performance.now();
    db.prepare(
      `INSERT INTO flow_runs (id, created, updated, name, flow_id, deployment_id, work_pool_id, state_id, state_type,
         state_name, state_timestamp, run_count, expected_start_time, start_time, end_time, total_run_time_ms)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),
       t(i, at) AS (SELECT i, strftime('%s', 'now') - i * 6 FROM n)
       SELECT printf('%08x-0000-4000-8000-%012x', i, i), strftime('%Y-%m-%dT%H:%M:%fZ', at, 'unixepoch'),
         strftime('%Y-%m-%dT%H:%M:%fZ', at + 2, 'unixepoch'), 'bench-run-' || i, ?, ?, ?,
         printf('%08x-0000-4000-9000-%012x', i, i),
         CASE WHEN i % 17 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, CASE WHEN i % 17 = 0 THEN 'Failed' ELSE 'Completed' END,
         strftime('%Y-%m-%dT%H:%M:%fZ', at + 2, 'unixepoch'), 1, strftime('%Y-%m-%dT%H:%M:%fZ', at, 'unixepoch'),
         strftime('%Y-%m-%dT%H:%M:%fZ', at, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', at + 2, 'unixepoch'), 1500 + i % 1000
       FROM t`,
    ).run(RUNS, ids.flow, ids.deployment, ids.pool);
    return performance.now() - started;
  } finally {
    db.close();
  }
}

/** Navigation start → the first run's row in the page, as the page's own clock says. */
async function timeFirstRows(origin: string, rounds: number, progress: (m: string) => void): Promise<number[]> {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"], headless: true });
  const times: number[] = [];
  try {
    // Round 0 warms the server (Worker isolate, D1's page cache) and is not counted.
    for (let round = 0; round <= rounds; round++) {
      // A new context each round: an empty cache, as on a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (document.querySelector(".runs-scroll .run-name a")) {
            (window as unknown as { firstRowAt: number }).firstRowAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { subtree: true, childList: true });
      });
      await page.goto(`${origin}/runs`);
      const first = page.locator(".runs-scroll .run-name a").first();
      await first.waitFor({ timeout: 60_000 });
      const name = await first.textContent();
      if (name !== "bench-run-1") throw new Error(`the Runs page's first row is ${JSON.stringify(name)}, not the newest run bench-run-1`);
      const ms = await page.evaluate(() => (window as unknown as { firstRowAt: number }).firstRowAt);
      if (round > 0) {
        times.push(ms);
        progress(`Runs page, round ${round}/${rounds}: first row after ${Math.round(ms)} ms`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return times;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const list = (assets: Asset[]) => assets.map((a) => `${a.file.replace(/^assets\//, "")} ${kB(a.gzip).toFixed(1)}`).join(", ");

export const dashboard: Benchmark = {
  name: "dashboard",
  title: "Dashboard: size and first render",
  description:
    "Sizes: a production build of web/ (Vite, as `npm run build:web`) into a directory of its own; each asset gzipped at zlib's default level; kB = 1,000 bytes. The Runs page's share is the entry chunk and the Runs chunk with everything they import (what opening /runs downloads). First render: 100,000 finished runs of one deployment written into the local server's D1 file, then headless Chromium (Debian's) opens /runs on the production build served by `baton server start`, each time in a fresh browser context (empty cache); the time is from navigation start to the first run's row in the page, by the page's own clock (performance.now()), after one warm-up visit.",
  repeats: { full: 1, quick: 1 },
  run: async (ctx) => {
    ctx.progress("building the dashboard");
    const sizes = await measureBuild();
    for (const a of [...sizes.js, ...sizes.css]) ctx.progress(`${a.file}: ${kB(a.bytes).toFixed(2)} kB, gzip ${kB(a.gzip).toFixed(2)} kB`);
    const total = (assets: Asset[]) => kB(assets.reduce((s, a) => s + a.gzip, 0));

    const renders = await withBenchServer(async (server) => {
      const flow = await server.call("POST", "/flows/", { name: "bench-dashboard" });
      const pool = await server.call("POST", "/work_pools/", { name: "bench-dashboard-pool" });
      const deployment = await server.call("POST", "/deployments/", { flow_id: flow.id, name: "bench", work_pool_name: pool.name });
      const seedMs = seedRuns(server, { flow: flow.id, deployment: deployment.id, pool: pool.id });
      const counted: number = await server.call("POST", "/flow_runs/count", {});
      if (counted !== RUNS) throw new Error(`the server counts ${counted} flow runs after seeding ${RUNS}`);
      ctx.progress(`${RUNS.toLocaleString("en")} runs written into D1 in ${(seedMs / 1000).toFixed(1)} s`);
      return timeFirstRows(new URL(server.base).origin, ctx.quick ? 3 : 5, ctx.progress);
    });

    const figures: Figure[] = [
      {
        key: "dashboard.js_gzip_kb",
        label: `JavaScript, gzipped, all ${sizes.js.length} chunks`,
        unit: "kB",
        value: total(sizes.js),
        better: "lower",
        target: { op: "<=", limit: 120, text: "≤ 120 KB" },
        check: true,
        note: `Largest chunks (gzip kB): ${list(sizes.js.slice(0, 6))}. Pages are lazy chunks: no page loads all of them.`,
      },
      {
        key: "dashboard.css_gzip_kb",
        label: `CSS, gzipped, all ${sizes.css.length} files`,
        unit: "kB",
        value: total(sizes.css),
        better: "lower",
        check: true,
        note: `Files (gzip kB): ${list(sizes.css)}.`,
      },
      {
        key: "dashboard.runs_page_js_gzip_kb",
        label: "JavaScript, gzipped, that opening the Runs page downloads",
        unit: "kB",
        value: kB(sizes.runsPage.js),
        better: "lower",
        check: true,
        note: `With ${kB(sizes.runsPage.css).toFixed(1)} kB of CSS.`,
      },
      {
        key: "dashboard.runs_first_render_ms",
        label: `Runs page with ${RUNS.toLocaleString("en")} runs: navigation → first row (median of ${renders.length})`,
        unit: "ms",
        value: median(renders),
        better: "lower",
        target: { op: "<=", limit: 1000, text: "≤ 1 s" },
        note: `Rounds: ${renders.map((ms) => Math.round(ms)).join(", ")} ms. The page asks for the count and the first page (100 rows); only the rows in view exist in the page.`,
      },
    ];
    return figures;
  },
};
