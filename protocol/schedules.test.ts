import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { DeploymentScheduleCreate, DeploymentScheduleUpdate, ScheduleDefinition } from "./schedules";

const ok = (schema: v.GenericSchema, input: unknown) => v.parse(schema, input);
const fails = (schema: v.GenericSchema, input: unknown) => !v.safeParse(schema, input).success;

describe("schedule schemas", () => {
  it("fills Prefect's defaults on create", () => {
    expect(ok(DeploymentScheduleCreate, { schedule: { cron: " 0 9 * * * " } })).toEqual({
      schedule: { cron: "0 9 * * *", timezone: "UTC", day_or: true },
      active: true,
      max_scheduled_runs: null,
      catchup: "latest",
      parameters: {},
      slug: null,
    });
    expect(ok(ScheduleDefinition, { interval: 60, timezone: null })).toEqual({ interval: 60, timezone: "UTC" });
    expect(ok(ScheduleDefinition, { rrule: "FREQ=DAILY" })).toEqual({ rrule: "FREQ=DAILY", timezone: null });
  });

  it("tells the kinds apart by key and refuses a mix", () => {
    expect(ok(ScheduleDefinition, { interval: 3600, anchor_date: "2026-01-01T00:00:00Z" })).toHaveProperty("interval", 3600);
    expect(ok(ScheduleDefinition, { cron: "@daily", day_or: false })).toHaveProperty("day_or", false);
    expect(fails(ScheduleDefinition, { cron: "0 9 * * *", interval: 60 })).toBe(true);
    expect(fails(ScheduleDefinition, {})).toBe(true);
  });

  it("checks shapes and ranges", () => {
    for (const bad of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 11 * 366 * 86_400, "60"]) {
      expect(fails(ScheduleDefinition, { interval: bad }), String(bad)).toBe(true);
    }
    expect(fails(ScheduleDefinition, { interval: 60, anchor_date: "tomorrow" })).toBe(true);
    for (const bad of ["0 9 * *", "0 0 9 * * * *", "", "x".repeat(201)]) {
      expect(fails(ScheduleDefinition, { cron: bad }), bad).toBe(true);
    }
    expect(ok(ScheduleDefinition, { cron: "*/10 * * * * *" })).toHaveProperty("cron", "*/10 * * * * *");
    expect(fails(ScheduleDefinition, { rrule: "x".repeat(6001) })).toBe(true);
    expect(fails(ScheduleDefinition, { cron: "0 9 * * *", timezone: "" })).toBe(true);
    const schedule = { cron: "0 9 * * *" };
    expect(fails(DeploymentScheduleCreate, { schedule, catchup: "some" })).toBe(true);
    expect(fails(DeploymentScheduleCreate, { schedule, max_scheduled_runs: 0 })).toBe(true);
    expect(fails(DeploymentScheduleCreate, { schedule, max_scheduled_runs: 1001 })).toBe(true);
    expect(fails(DeploymentScheduleCreate, { schedule, slug: "" })).toBe(true);
  });

  it("leaves out of an update what it does not mention", () => {
    expect(ok(DeploymentScheduleUpdate, { active: false })).toEqual({ active: false });
    expect(ok(DeploymentScheduleUpdate, {})).toEqual({});
    expect(ok(DeploymentScheduleUpdate, { max_scheduled_runs: null, slug: null })).toEqual({ max_scheduled_runs: null, slug: null });
  });
});
