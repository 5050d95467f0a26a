import { describe, expect, it } from "vitest";
import { intervalSeconds, parseParams, positiveInt, repeated, runId, scheduleFromFlags, splitDeploymentName } from "./args";
import { UsageError } from "./errors";

const usageError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error("expected a usage error");
};

describe("repeated", () => {
  it("collects every value of a repeated flag, in both spellings, up to --", () => {
    const argv = ["x/y", "--param", "a=1", "--json", "--param=b=2", "--paramx", "c", "--", "--param", "d=4"];
    expect(repeated(argv, "param")).toEqual(["a=1", "b=2"]);
    expect(repeated(["--tag", "-weird"], "tag")).toEqual(["-weird"]);
  });

  it("refuses a flag without its value", () => {
    expect(usageError(() => repeated(["--param"], "param"))).toBe("--param needs a value");
  });
});

describe("parseParams", () => {
  it("reads values as JSON when they are JSON, else as text", () => {
    expect(parseParams(["name=Ada", "n=3", "ok=true", "tags=[\"a\"]", "obj={\"k\":1}", "nil=null", "text=hello world", "eq=a=b", "empty="])).toEqual({
      name: "Ada",
      n: 3,
      ok: true,
      tags: ["a"],
      obj: { k: 1 },
      nil: null,
      text: "hello world",
      eq: "a=b",
      empty: "",
    });
  });

  it("keeps quoted numbers as strings and lets the last value of a key win", () => {
    expect(parseParams(['zip="01234"', "n=1", "n=2"])).toEqual({ zip: "01234", n: 2 });
  });

  it("keeps the text of parameters the flow's schema types as strings", () => {
    const schema = { type: "object", properties: { name: { type: "string" }, zip: { type: ["string", "null"] }, n: { type: "number" }, any: {} } };
    expect(parseParams(["name=3", "zip=01234", "n=3", "any=3", "other=true"], schema)).toEqual({ name: "3", zip: "01234", n: 3, any: 3, other: true });
  });

  it("refuses pairs without a key", () => {
    expect(usageError(() => parseParams(["name"]))).toBe('--param expects key=value, got "name"');
    expect(usageError(() => parseParams(["=3"]))).toBe('--param expects key=value, got "=3"');
  });
});

describe("splitDeploymentName", () => {
  it("splits flow/deployment", () => {
    expect(splitDeploymentName("hello-flow/my_first_deployment")).toEqual({ flow: "hello-flow", name: "my_first_deployment" });
    expect(splitDeploymentName("my flow/every day")).toEqual({ flow: "my flow", name: "every day" });
  });

  it.each(["hello-flow", "a/b/c", "/b", "a/", ""])("refuses %j", (value) => {
    expect(usageError(() => splitDeploymentName(value))).toBe(`Invalid deployment name ${JSON.stringify(value)}`);
  });
});

describe("schedules from flags", () => {
  it("reads intervals in seconds or with a unit", () => {
    expect([intervalSeconds("60"), intervalSeconds("90s"), intervalSeconds("15m"), intervalSeconds("2H"), intervalSeconds("1d")]).toEqual([60, 90, 900, 7200, 86_400]);
    for (const bad of ["0", "-5", "1.5", "ten", "5w", ""]) expect(() => intervalSeconds(bad)).toThrow(UsageError);
  });

  it("builds one schedule, with the zone where it matters", () => {
    expect(scheduleFromFlags({})).toBeUndefined();
    expect(scheduleFromFlags({ interval: "60" })).toEqual({ interval: 60 });
    expect(scheduleFromFlags({ cron: "0 9 * * *", timezone: "Europe/Berlin" })).toEqual({ cron: "0 9 * * *", timezone: "Europe/Berlin", day_or: true });
    expect(scheduleFromFlags({ cron: "0 9 * * *" })).toEqual({ cron: "0 9 * * *", timezone: "UTC", day_or: true });
    expect(scheduleFromFlags({ rrule: "FREQ=DAILY" })).toEqual({ rrule: "FREQ=DAILY", timezone: null });
  });

  it("refuses two kinds at once, and a zone alone", () => {
    expect(usageError(() => scheduleFromFlags({ interval: "60", cron: "* * * * *" }))).toBe("Give one of --interval, --cron or --rrule, not --interval and --cron");
    expect(usageError(() => scheduleFromFlags({ timezone: "UTC" }))).toBe("--timezone goes with --cron, --rrule or --interval");
  });
});

describe("ids and counts", () => {
  it("accepts UUIDs as run ids, in any case", () => {
    expect(runId(" 7F1C1F2E-8A7B-4C3D-9E0F-112233445566 ")).toEqual({ id: "7f1c1f2e-8a7b-4c3d-9e0f-112233445566" });
    expect(usageError(() => runId("golden-falcon"))).toBe('"golden-falcon" is not a flow run id');
  });

  it("takes the start of a run id with at least 8 hex digits, dashes where a UUID has them", () => {
    for (const start of ["8eab3003", "8EAB3003-", "8eab3003-1c", "7f1c1f2e-8a7b-4c3d-9e0f-11223344556"]) expect(runId(start)).toEqual({ prefix: start.toLowerCase() });
    for (const bad of ["8eab300", "8eab3003x", "8eab30031c", "8eab3003-1c7e4", "-8eab3003"]) expect(usageError(() => runId(bad))).toBe(`${JSON.stringify(bad)} is not a flow run id`);
  });

  it("reads positive whole numbers within a bound", () => {
    expect(positiveInt(undefined, "--limit")).toBeUndefined();
    expect(positiveInt("20", "--limit", 200)).toBe(20);
    for (const bad of ["0", "201", "2.5", "x"]) expect(() => positiveInt(bad, "--limit", 200)).toThrow(UsageError);
  });
});
