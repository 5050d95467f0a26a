import { describe, expect, it } from "vitest";
import { cpuDuring, parseStat, treeCpuMs } from "./cpu";

describe("parseStat", () => {
  it("reads the parent pid and user + system ticks, whatever the process's name holds", () => {
    const line = "4242 (odd ) name) S 17 4242 4242 0 -1 4194304 131 0 0 0 250 31 0 0 20 0 1 0 1776461 3133440 382";
    expect(parseStat(line)).toEqual({ ppid: 17, ticks: 281 });
  });
});

describe.runIf(process.platform === "linux")("treeCpuMs", () => {
  it("counts the CPU this process uses", async () => {
    const busy = async () => {
      const start = process.cpuUsage();
      while (process.cpuUsage(start).user < 300_000) Math.sqrt(Math.random());
    };
    const { cpuMs } = await cpuDuring(process.pid, busy);
    expect(cpuMs).toBeGreaterThanOrEqual(250);
    expect(treeCpuMs(process.pid)).toBeGreaterThan(0);
  });

  it("answers undefined for a process that does not exist", () => {
    expect(treeCpuMs(2 ** 30)).toBeUndefined();
  });
});
