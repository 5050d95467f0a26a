import { describe, expect, it } from "vitest";
import { lookup, parsePath, render, templateErrors } from "./template";

const event = {
  id: "e1",
  event: "file.created",
  resource: { "baton.resource.id": "file./data/a.csv", "baton.resource.name": "a.csv" },
  payload: { path: "/data/a.csv", size: 120, items: [{ name: "x" }, { name: "y" }], nested: { ok: true } },
};

describe("parsePath", () => {
  it("reads keys, indexes and quoted keys", () => {
    expect(parsePath("event.payload.items[1].name")).toEqual(["event", "payload", "items", 1, "name"]);
    expect(parsePath('event.resource["baton.resource.id"]')).toEqual(["event", "resource", "baton.resource.id"]);
    expect(parsePath("headers.x-github-event")).toEqual(["headers", "x-github-event"]);
  });
  it.each(["", ".", "a.", ".a", "a..b", "[0]", "a[x]", 'a["b'])("refuses %j", (p) => expect(parsePath(p)).toBeNull());
});

describe("lookup", () => {
  const ctx = { event };
  it("finds nested values and list items", () => {
    expect(lookup(ctx, "event.payload.items[1].name")).toBe("y");
    expect(lookup(ctx, "event.payload.size")).toBe(120);
  });
  it("finds labels with dots, dotted or quoted", () => {
    expect(lookup(ctx, "event.resource.baton.resource.id")).toBe("file./data/a.csv");
    expect(lookup(ctx, 'event.resource["baton.resource.name"]')).toBe("a.csv");
  });
  it("answers undefined for what is not there", () => {
    expect(lookup(ctx, "event.payload.missing.deeper")).toBeUndefined();
    expect(lookup(ctx, "event.payload.items[5]")).toBeUndefined();
    expect(lookup(ctx, "event.payload.size.x")).toBeUndefined();
    expect(lookup(ctx, "event.payload.path[0]")).toBeUndefined();
  });
});

describe("render", () => {
  const ctx = { event };
  it("keeps the type of a whole-string path", () => {
    expect(render({ size: "{{ event.payload.size }}", n: "{{event.payload.nested}}" }, ctx)).toEqual({ size: 120, n: { ok: true } });
  });
  it("fills parts of strings as text", () => {
    expect(render("got {{ event.payload.path }} ({{ event.payload.size }} bytes)", ctx)).toBe("got /data/a.csv (120 bytes)");
    expect(render("{{ event.payload.nested }}!", ctx)).toBe('{"ok":true}!');
  });
  it("turns a string into null when a value it needs is missing, rather than text with a hole in it", () => {
    expect(render({ a: "{{ event.payload.nope }}", b: "x{{ event.nope }}y", c: "x{{ event.id }}" }, ctx)).toEqual({ a: null, b: null, c: "xe1" });
  });
  it("tells the caller every path that found nothing (null counts as nothing)", () => {
    const missing: string[] = [];
    render({ a: "{{ event.payload.nope }}", b: ["x{{ event.nope }}y {{ event.id }}"], c: "{{ event.payload.nil }}" }, { event: { ...event, payload: { nil: null } } }, missing);
    expect(missing).toEqual(["event.payload.nope", "event.nope", "event.payload.nil"]);
  });
  it("walks arrays and leaves non-strings alone", () => {
    expect(render(["{{ event.id }}", 3, true, null, { k: ["{{ event.event }}"] }], ctx)).toEqual(["e1", 3, true, null, { k: ["file.created"] }]);
  });
  it("never evaluates anything but paths", () => {
    expect(render("{{ event.constructor }}", ctx)).toBeNull();
    expect(render("{{ 1 + 1 }}", ctx)).toBeNull();
  });
});

describe("templateErrors", () => {
  it("accepts paths under the allowed roots", () => {
    expect(templateErrors({ file: "{{ event.payload.path }}", note: "at {{ event.occurred }}" }, ["event"])).toEqual([]);
  });
  it("names each bad path and where it is", () => {
    expect(templateErrors({ a: "{{ evnt.payload }}", b: ["ok", "{{ event. }}"] }, ["event"])).toEqual([
      { path: "a", message: '"{{ evnt.payload }}" must start with event' },
      { path: "b[1]", message: '"{{ event. }}" is not a path (use a.b, a[0] or a["b.c"])' },
    ]);
  });
});
