import { stripVTControlCharacters as plain } from "node:util";
import { describe, expect, it } from "vitest";
import { details, duration, relative, scheduleText, shellWord, table } from "./format";

describe("table", () => {
  it("aligns columns two spaces apart under a header, without borders or trailing spaces", () => {
    const text = plain(table(["NAME", "POOL", "RUNS"], [["hello-flow/daily", "my-pool", 3], ["x/y", null, 12]]));
    expect(text.split("\n")).toEqual([
      "NAME              POOL     RUNS",
      "hello-flow/daily  my-pool  3",
      "x/y               -        12",
    ]);
  });

  it("says so when there is nothing to show", () => {
    expect(plain(table(["NAME"], [], "No deployments yet."))).toBe("No deployments yet.");
  });

  it("keeps multi-line cells in their column", () => {
    const lines = plain(table(["ID", "NEXT"], [["a", "one\ntwo"]])).split("\n");
    expect(lines).toEqual(["ID  NEXT", "a   one", "    two"]);
  });
});

describe("details", () => {
  it("aligns values after their labels, with a dash for nothing", () => {
    expect(plain(details([["Name", "x/y"], ["Work pool", null]]))).toBe("Name       x/y\nWork pool  -");
  });
});

describe("durations and times", () => {
  it("shows durations in the two largest units", () => {
    expect([0.25, 9.96, 42, 60, 184, 3600, 7500, 90_000, 86_400].map(duration)).toEqual(["0.3s", "10s", "42s", "1m", "3m 4s", "1h", "2h 5m", "1d 1h", "1d"]);
  });

  it("says how far a time is from now", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(relative("2026-01-01T12:00:57Z", now)).toBe("in 57s");
    expect(relative("2026-01-01T11:57:00Z", now)).toBe("3m ago");
  });
});

describe("scheduleText", () => {
  it("describes each kind of schedule in a few words", () => {
    expect(scheduleText({ interval: 60, timezone: "UTC" })).toBe("every 1m");
    expect(scheduleText({ cron: "0 9 * * *", timezone: "Europe/Berlin" })).toBe("cron 0 9 * * * (Europe/Berlin)");
    expect(scheduleText({ cron: "0 9 * * *", timezone: "UTC" })).toBe("cron 0 9 * * * (UTC)");
    expect(scheduleText({ rrule: "DTSTART:20260101T090000\nRRULE:FREQ=DAILY", timezone: null })).toBe("rrule DTSTART:20260101T090000 RRULE:FREQ=DAILY");
  });
});

describe("shellWord", () => {
  it("quotes only what the shell would split or expand", () => {
    expect(shellWord("hello-flow/my_first_deployment")).toBe("hello-flow/my_first_deployment");
    expect(shellWord("my pool")).toBe("'my pool'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
  });
});
