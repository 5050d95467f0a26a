import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { descendants, runCommand, startService } from "./processes";

/** Running, not a zombie waiting for whoever adopted it to reap it. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

const waitUntil = async (ok: () => boolean, ms = 5000) => {
  for (const until = Date.now() + ms; !ok(); ) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("runCommand", () => {
  it("answers the output and passes each line on", async () => {
    const lines: string[] = [];
    const { output } = await runCommand("sh", ["-c", "echo one; echo two >&2; printf three"], { onLine: (l) => lines.push(l) });
    expect(output).toContain("one");
    expect(lines.sort()).toEqual(["one", "three", "two"]);
  });

  it("rejects with the command's exit code and output", async () => {
    await expect(runCommand("sh", ["-c", "echo broken >&2; exit 4"])).rejects.toThrow(/exited with 4:\nbroken/);
  });

  it("rejects with ENOENT for a command that is not there", async () => {
    await expect(runCommand("no-such-command-for-baton-bench", [])).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("startService", () => {
  it("ends the process group and the processes below it that left the group", async () => {
    dir = await mkdtemp(join(tmpdir(), "baton-processes-test-"));
    // One child stays in the group; one starts a session of its own, as Prefect's flow-run processes do.
    const service = await startService("test", "sh", ["-c", "sleep 60 & setsid sleep 60 & wait"], { env: process.env, cwd: dir, logFile: join(dir, "log") });
    await waitUntil(() => descendants(service.pid).length >= 2);
    const below = descendants(service.pid);
    await service.stop(2000);
    expect(service.exited()).toBe(true);
    await waitUntil(() => below.every((pid) => !alive(pid)));
  });

  it("finds no descendants of a process without children", () => {
    const child = spawn("sleep", ["5"]);
    try {
      expect(descendants(child.pid!)).toEqual([]);
    } finally {
      child.kill();
    }
  });
});
