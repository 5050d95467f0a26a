import { describe, expect, it } from "vitest";
import { UsageError } from "../errors";
import { eventFilter, payloadFromFlag, resourceFromFlags, sinceFromFlag } from "./event";

describe("baton event flags", () => {
  it("--resource: a bare value is the id, key=value a label", () => {
    expect(resourceFromFlags([])).toBeUndefined();
    expect(resourceFromFlags(["shop.order.42", "team=data", "url=https://x?a=b"])).toEqual({
      "baton.resource.id": "shop.order.42",
      team: "data",
      url: "https://x?a=b",
    });
    expect(resourceFromFlags(["baton.resource.id=a.b"])).toEqual({ "baton.resource.id": "a.b" });
    expect(() => resourceFromFlags(["team=data"])).toThrow(/needs the resource's id/);
    expect(() => resourceFromFlags(["=x"])).toThrow(UsageError);
  });

  it("--payload must be a JSON object", () => {
    expect(payloadFromFlag('{"rows": 3}')).toEqual({ rows: 3 });
    expect(payloadFromFlag(undefined)).toBeUndefined();
    expect(() => payloadFromFlag("[1]")).toThrow(/not an array/);
    expect(() => payloadFromFlag("{rows: 3}")).toThrow(/expects a JSON object/);
  });

  it("--since: a time, or a duration back from now", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(sinceFromFlag("15m", now)).toBe("2026-11-25T11:45:00.000Z");
    expect(sinceFromFlag("2h", now)).toBe("2026-11-25T10:00:00.000Z");
    expect(sinceFromFlag("7d", now)).toBe("2026-11-18T12:00:00.000Z");
    expect(sinceFromFlag("2026-11-25T10:00:00+02:00", now)).toBe("2026-11-25T08:00:00.000Z");
    expect(() => sinceFromFlag("last week", now)).toThrow(/--since expects/);
  });

  it("builds the filter: name prefix, resource id or id prefix (trailing *), limit", () => {
    expect(eventFilter({})).toEqual({ limit: 20 });
    expect(eventFilter({ name: "file.", resource: "file./data/in/*", limit: "100" })).toEqual({
      limit: 100,
      event: { prefix: ["file."] },
      resource: { id_prefix: ["file./data/in/"] },
    });
    expect(eventFilter({ resource: "shop.order.42" }).resource).toEqual({ id: ["shop.order.42"] });
    expect(() => eventFilter({ limit: "501" })).toThrow(/--limit expects a whole number from 1 to 500/);
  });
});
