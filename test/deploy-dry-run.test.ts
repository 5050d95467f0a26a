import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");

describe("wrangler deploy --dry-run", () => {
  let outdir = "";
  afterAll(() => (outdir ? rm(outdir, { recursive: true, force: true }) : undefined));

  it("bundles the Worker for Cloudflare", async () => {
    outdir = await mkdtemp(join(tmpdir(), "baton-dry-run-"));
    const wrangler = join(root, "node_modules", ".bin", "wrangler");
    const { stdout } = await run(wrangler, ["deploy", "--dry-run", "--outdir", outdir], {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/--dry-run: exiting now/);
    const files = (await readdir(outdir)).filter((f) => f.endsWith(".js"));
    expect(files).toContain("index.js");
    const bundle = await readFile(join(outdir, "index.js"));
    const size = (await stat(join(outdir, "index.js"))).size;
    // Reported for the closing notes and benchmarks; the limit that matters is Cloudflare's (3 MB gzip free).
    console.log(`worker bundle: ${(size / 1024).toFixed(1)} KiB, ${(gzipSync(bundle).length / 1024).toFixed(1)} KiB gzip`);
    expect(gzipSync(bundle).length).toBeLessThan(3 * 1024 * 1024);
  });
});
