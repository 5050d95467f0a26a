import { describe, expect, it } from "vitest";
import type { Event } from "../../../protocol/events";
import { appendPage, eventsFilter, matchesPrefix, mergeEvents, payloadPreview, prefixFromParam, resourceDisplay } from "./events.data";

const RUN = "0b6e3f0e-7c1a-4a55-9c1e-2f6d3b1a9e01";

function ev(id: string, occurred: string, name = "baton.flow-run.Completed", extra: Partial<Event> = {}): Event {
  return {
    id,
    occurred,
    received: occurred,
    event: name,
    resource: { "baton.resource.id": `baton.flow-run.${RUN}` },
    related: [],
    payload: {},
    ...extra,
  };
}

describe("prefixFromParam / eventsFilter", () => {
  it("reads the URL's prefix, trimmed, first of a list, empty when absent", () => {
    expect(prefixFromParam(undefined)).toBe("");
    expect(prefixFromParam("  baton.flow-run. ")).toBe("baton.flow-run.");
    expect(prefixFromParam(["a.", "b."])).toBe("a.");
  });

  it("filters by prefix only when one is given, and carries the page token", () => {
    expect(eventsFilter("")).toEqual({ limit: 50 });
    expect(eventsFilter("order.")).toEqual({ limit: 50, event: { prefix: ["order."] } });
    expect(eventsFilter("order.", "tok")).toEqual({ limit: 50, event: { prefix: ["order."] }, next_page: "tok" });
    expect(eventsFilter("", null)).toEqual({ limit: 50 });
  });

  it("matches live events by name prefix", () => {
    expect(matchesPrefix(ev("a", "2026-01-01T00:00:00Z"), "baton.flow-run.")).toBe(true);
    expect(matchesPrefix(ev("a", "2026-01-01T00:00:00Z"), "baton.task-run.")).toBe(false);
    expect(matchesPrefix(ev("a", "2026-01-01T00:00:00Z"), "")).toBe(true);
  });
});

describe("mergeEvents", () => {
  const older = ev("1", "2026-01-01T00:00:01Z");
  const newer = ev("2", "2026-01-01T00:00:02Z");

  it("puts a new live event at the top", () => {
    expect(mergeEvents([older], [newer]).map((e) => e.id)).toEqual(["2", "1"]);
  });

  it("keeps each id once, and answers the same list when nothing is new", () => {
    const list = [newer, older];
    expect(mergeEvents(list, [older, newer])).toBe(list);
    expect(mergeEvents([older], [newer, newer]).map((e) => e.id)).toEqual(["2", "1"]);
  });

  it("orders late arrivals by when they occurred, equal times by id", () => {
    const late = ev("3", "2026-01-01T00:00:01.500Z");
    const tie = ev("0", "2026-01-01T00:00:01Z");
    expect(mergeEvents([newer, older], [late, tie]).map((e) => e.id)).toEqual(["2", "3", "1", "0"]);
  });
});

describe("appendPage", () => {
  it("adds the next page after the shown rows, skipping ids already shown", () => {
    const shown = [ev("3", "2026-01-01T00:00:03Z"), ev("2", "2026-01-01T00:00:02Z")];
    const page = [ev("2", "2026-01-01T00:00:02Z"), ev("1", "2026-01-01T00:00:01Z")];
    expect(appendPage(shown, page).map((e) => e.id)).toEqual(["3", "2", "1"]);
    expect(appendPage(shown, [shown[1]!])).toBe(shown);
  });
});

describe("resourceDisplay", () => {
  it("links a flow run's resource to its page, showing its name when it has one", () => {
    expect(resourceDisplay({ "baton.resource.id": `baton.flow-run.${RUN}`, "baton.resource.name": "brave-otter" })).toEqual({
      text: "brave-otter",
      href: `/runs/${RUN}`,
    });
    expect(resourceDisplay({ "baton.resource.id": `baton.flow-run.${RUN}` })).toEqual({
      text: `baton.flow-run.${RUN}`,
      href: `/runs/${RUN}`,
    });
  });

  it("shows other resources by name or id, without a link", () => {
    expect(resourceDisplay({ "baton.resource.id": "file./data/in/a.csv" })).toEqual({ text: "file./data/in/a.csv" });
    expect(resourceDisplay({ "baton.resource.id": "baton.deployment.x", "baton.resource.name": "etl/prod" })).toEqual({ text: "etl/prod" });
    // A task run is not a flow run, even though both start with "baton.".
    expect(resourceDisplay({ "baton.resource.id": `baton.task-run.${RUN}` }).href).toBeUndefined();
  });
});

describe("payloadPreview", () => {
  it("is empty for an empty payload, the JSON otherwise, cut at the width", () => {
    expect(payloadPreview({})).toBe("");
    expect(payloadPreview({ a: 1 })).toBe('{"a":1}');
    const cut = payloadPreview({ text: "x".repeat(100) }, 20);
    expect(cut).toHaveLength(20);
    expect(cut.endsWith("…")).toBe(true);
  });
});
