import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNodeScript, tail } from "./child";

describe("runNodeScript", () => {
  let dir: string;
  let script: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "baton-child-"));
    script = join(dir, "script.mjs");
    await writeFile(
      script,
      `console.log("ci=" + process.env.CI, "tty=" + Boolean(process.stdin.isTTY), "x=" + process.env.X);
       console.error("to stderr");
       process.exit(Number(process.argv[2]));`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("runs non-interactively with the given env and collects stdout and stderr", async () => {
    const result = await runNodeScript(script, ["0"], { cwd: dir, env: { X: "1" } });
    expect(result.code).toBe(0);
    expect(result.output).toContain("ci=true tty=false x=1");
    expect(result.output).toContain("to stderr");
  });

  it("reports the exit code", async () => {
    expect((await runNodeScript(script, ["3"], { cwd: dir })).code).toBe(3);
  });
});

describe("tail", () => {
  it("keeps the last lines without colour codes", () => {
    expect(tail("a\nb\n\u001b[31mc\u001b[39m\n\n", 2)).toBe("b\nc");
  });
});
