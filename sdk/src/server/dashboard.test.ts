import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureDashboard, isDashboardStale, newestMtime } from "./dashboard";

describe("isDashboardStale", () => {
  it("builds when there is no build yet, or a source is newer than the build", () => {
    expect(isDashboardStale(undefined, 1_000)).toBe(true);
    expect(isDashboardStale(1_000, 2_000)).toBe(true);
  });

  it("keeps an up-to-date build, and does nothing without sources", () => {
    expect(isDashboardStale(2_000, 1_000)).toBe(false);
    expect(isDashboardStale(2_000, 2_000)).toBe(false);
    expect(isDashboardStale(undefined, undefined)).toBe(false);
  });
});

describe("the dashboard on disk", () => {
  let root: string;
  const seconds = (n: number) => new Date(n * 1000);
  const warnings: string[] = [];
  const out = { info() {}, step() {}, success() {}, warn: (m: string) => void warnings.push(m), error() {} };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "baton-dashboard-"));
    warnings.length = 0;
    await mkdir(join(root, "web/src/pages"), { recursive: true });
    await writeFile(join(root, "web/src/pages/Runs.tsx"), "");
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("finds the newest modification time in nested folders", async () => {
    const file = join(root, "web/src/pages/Runs.tsx");
    await utimes(join(root, "web/src/pages"), seconds(100), seconds(100));
    await utimes(join(root, "web/src"), seconds(100), seconds(100));
    await utimes(file, seconds(500), seconds(500));
    expect(newestMtime([join(root, "web/src"), join(root, "web/missing.ts")])).toBe(500_000);
    expect(newestMtime([join(root, "web/missing.ts")])).toBeUndefined();
  });

  it("skips the build with a warning when the server dir has no vite config", async () => {
    await ensureDashboard({ root, wranglerConfig: join(root, "wrangler.toml") }, out);
    expect(warnings).toEqual([expect.stringContaining("No web/vite.config.ts")]);
  });
});
