import { describe, expect, it } from "vitest";
import type { DeploymentSchedule } from "../../../protocol/schedules";
import { formPath } from "../api/field-errors";
import { bodyOf, describeSchedule, draftOf, emptyDraft, scheduleFieldOf } from "./schedule.data";

describe("schedule drafts", () => {
  it("turns an interval in a unit into seconds", () => {
    const result = bodyOf({ ...emptyDraft(), interval: "2", intervalUnit: "hours", timezone: "UTC" });
    expect(result).toEqual({ ok: true, body: expect.objectContaining({ schedule: { interval: 7200, timezone: "UTC" }, active: true, catchup: "latest" }) });
  });

  it("refuses what the server would, with its message", () => {
    expect(bodyOf({ ...emptyDraft(), interval: "0" })).toEqual({ ok: false, error: "Interval must be a positive number" });
    const cron = bodyOf({ ...emptyDraft(), kind: "cron", cron: "* *" });
    expect(cron.ok).toBe(false);
    expect(!cron.ok && cron.error).toMatch(/5 or 6 fields/);
  });

  it("edits an existing schedule in its largest whole unit", () => {
    const schedule = { schedule: { interval: 5400, timezone: "UTC" }, active: false, catchup: "none" } as DeploymentSchedule;
    expect(draftOf(schedule)).toMatchObject({ kind: "interval", interval: "90", intervalUnit: "minutes", active: false, catchup: "none" });
  });

  it("describes schedules in one line", () => {
    expect(describeSchedule({ interval: 3600, timezone: "UTC" } as never)).toBe("every 1h");
    expect(describeSchedule({ cron: "0 9 * * 1-5", timezone: "Europe/Paris", day_or: true })).toBe("cron 0 9 * * 1-5 (Europe/Paris)");
  });
});

describe("server refusals by field", () => {
  // What POST /deployments/:id/schedules and PATCH /deployments/:id answer (their `errors[].path`).
  it("puts a bad expression by the kind's field and a bad time zone by the time zone", () => {
    const place = (kind: "cron" | "interval" | "rrule", path: string, message: string) => scheduleFieldOf(kind)(formPath(path), message);
    expect(place("cron", "body.0.schedule", 'invalid cron "61 * * * *": CronPattern: Invalid value for minute: 61')).toBe("cron");
    expect(place("cron", "body.schedules.0.schedule", 'unknown time zone "Mars/Base"')).toBe("timezone");
    expect(place("interval", "body.0.schedule.interval", "must be at least 1 second")).toBe("interval");
    expect(place("rrule", "body.0.schedule", "invalid rrule: Invalid frequency")).toBe("rrule");
    expect(place("cron", "body.0.active", "must be a boolean")).toBe("active");
    expect(place("cron", "body", "must be a JSON array")).toBeUndefined();
  });
});
