import { describe, expect, it } from "vitest";
import { elapsedSeconds, formatAbsolute, formatDuration, formatRelative } from "./format";

describe("formatDuration", () => {
  it("picks a unit a person reads at a glance", () => {
    expect(formatDuration(0.25)).toBe("250 ms");
    expect(formatDuration(3.21)).toBe("3.2 s");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(245)).toBe("4m 05s");
    expect(formatDuration(7_620)).toBe("2h 07m");
    expect(formatDuration(3 * 86_400 + 4 * 3_600)).toBe("3d 4h");
  });
  it("is empty for what is not a duration", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(-1)).toBe("");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  it("says how long ago or how far ahead", () => {
    expect(formatRelative("2026-01-01T12:00:02Z", now)).toBe("now");
    expect(formatRelative("2026-01-01T11:55:00Z", now)).toMatch(/5 min/);
    expect(formatRelative("2026-01-01T14:00:00Z", now)).toMatch(/2 hr/);
  });
  it("is empty for a missing or unreadable time", () => {
    expect(formatRelative(null, now)).toBe("");
    expect(formatRelative("nope", now)).toBe("");
  });
});

describe("formatAbsolute and elapsedSeconds", () => {
  it("formats a time with its zone and measures spans", () => {
    expect(formatAbsolute("2026-01-01T12:00:00Z")).toMatch(/2026/);
    expect(elapsedSeconds("2026-01-01T12:00:00Z", "2026-01-01T12:01:30Z")).toBe(90);
    expect(elapsedSeconds("2026-01-01T12:00:00Z", null, Date.parse("2026-01-01T12:00:10Z"))).toBe(10);
    expect(elapsedSeconds(null, null)).toBeNull();
  });
});
