import { describe, expect, it } from "vitest";
import { compilePatterns, compileTrigger, matches, TriggerIndex, type TriggerMatchSpec } from "./match";

const spec = (s: Partial<TriggerMatchSpec> = {}): TriggerMatchSpec => ({ expect: [], match: {}, match_related: {}, ...s });
const event = (name: string, resource: Record<string, string> = { "baton.resource.id": "r" }, related: Record<string, string>[] = []) => ({
  event: name,
  resource,
  related,
});
const hit = (s: Partial<TriggerMatchSpec>, e: ReturnType<typeof event>) => matches(compileTrigger(spec(s)), e);

describe("patterns", () => {
  it("matches exact names only exactly", () => {
    const t = compilePatterns("file.created");
    expect(t("file.created")).toBe(true);
    expect(t("file.created.x")).toBe(false);
    expect(t("xfile.created")).toBe(false);
    expect(t("file_created")).toBe(false);
  });

  it("treats `*` as any run of characters, dots included, and anchors both ends", () => {
    const t = compilePatterns("baton.flow-run.*");
    expect(t("baton.flow-run.Completed")).toBe(true);
    expect(t("baton.flow-run.")).toBe(true);
    expect(t("baton.flow-run.a.b")).toBe(true);
    expect(t("baton.flow-runs.Completed")).toBe(false);
    expect(t("x.baton.flow-run.Completed")).toBe(false);
    const middle = compilePatterns("a*z");
    expect(middle("az")).toBe(true);
    expect(middle("a.b\nz")).toBe(true);
    expect(middle("azx")).toBe(false);
  });

  it("keeps regex characters literal", () => {
    const t = compilePatterns(["a.b", "(x)+*"]);
    expect(t("a.b")).toBe(true);
    expect(t("aXb")).toBe(false);
    expect(t("(x)+anything")).toBe(true);
    expect(t("xx")).toBe(false);
  });

  it("matches any pattern of a list; `*` alone matches everything", () => {
    const t = compilePatterns(["file.created", "file.changed", "webhook.*"]);
    expect(["file.created", "file.changed", "webhook.received"].map(t)).toEqual([true, true, true]);
    expect(t("file.deleted")).toBe(false);
    expect(compilePatterns("*")("")).toBe(true);
  });
});

describe("matching an event", () => {
  it("takes any event name when expect is empty, else one of them", () => {
    expect(hit({}, event("anything.at.all"))).toBe(true);
    expect(hit({ expect: ["file.created", "file.changed"] }, event("file.changed"))).toBe(true);
    expect(hit({ expect: ["file.created", "file.changed"] }, event("file.deleted"))).toBe(false);
  });

  it("needs every label of match on the resource, each matching one of its patterns; a missing label fails", () => {
    const s = { match: { "baton.resource.id": "file./data/in/*", kind: ["csv", "tsv"] } };
    expect(hit(s, event("e", { "baton.resource.id": "file./data/in/a.csv", kind: "csv" }))).toBe(true);
    expect(hit(s, event("e", { "baton.resource.id": "file./data/in/a.tsv", kind: "tsv" }))).toBe(true);
    expect(hit(s, event("e", { "baton.resource.id": "file./data/in/a.csv", kind: "json" }))).toBe(false);
    expect(hit(s, event("e", { "baton.resource.id": "file./data/out/a.csv", kind: "csv" }))).toBe(false);
    expect(hit(s, event("e", { "baton.resource.id": "file./data/in/a.csv" }))).toBe(false);
    // Even `*` needs the label to be there.
    expect(hit({ match: { kind: "*" } }, event("e"))).toBe(false);
  });

  it("needs one related resource matching all of match_related's labels (not labels spread over several)", () => {
    const s = { match_related: { "baton.resource.role": "deployment", "baton.resource.id": "baton.deployment.A" } };
    const flow = { "baton.resource.id": "baton.flow.F", "baton.resource.role": "flow" };
    const depA = { "baton.resource.id": "baton.deployment.A", "baton.resource.role": "deployment" };
    const depB = { "baton.resource.id": "baton.deployment.B", "baton.resource.role": "deployment" };
    expect(hit(s, event("e", undefined, [flow, depA]))).toBe(true);
    expect(hit(s, event("e", undefined, [flow, depB]))).toBe(false);
    expect(hit(s, event("e", undefined, []))).toBe(false);
    const spread = [
      { "baton.resource.id": "baton.deployment.A", "baton.resource.role": "flow" },
      { "baton.resource.id": "baton.deployment.X", "baton.resource.role": "deployment" },
    ];
    expect(hit(s, event("e", undefined, spread))).toBe(false);
  });

  it("combines name, resource and related conditions with AND", () => {
    const s = { expect: ["baton.flow-run.Completed"], match: { "baton.state-type": "COMPLETED" }, match_related: { "baton.resource.id": "baton.deployment.A" } };
    const related = [{ "baton.resource.id": "baton.deployment.A", "baton.resource.role": "deployment" }];
    const resource = { "baton.resource.id": "baton.flow-run.1", "baton.state-type": "COMPLETED" };
    expect(hit(s, event("baton.flow-run.Completed", resource, related))).toBe(true);
    expect(hit(s, event("baton.flow-run.Failed", resource, related))).toBe(false);
    expect(hit(s, event("baton.flow-run.Completed", { ...resource, "baton.state-type": "FAILED" }, related))).toBe(false);
    expect(hit(s, event("baton.flow-run.Completed", resource, []))).toBe(false);
  });
});

describe("the trigger index", () => {
  it("finds the triggers an event matches, exact-named, wildcard and catch-all alike, in the order given", () => {
    const triggers = [
      { id: "wild", ...spec({ expect: ["file.*"] }) },
      { id: "exact", ...spec({ expect: ["file.created"] }) },
      { id: "any", ...spec() },
      { id: "other", ...spec({ expect: ["file.deleted", "file.changed"] }) },
      { id: "labelled", ...spec({ expect: ["file.created"], match: { kind: "csv" } }) },
    ];
    const index = new TriggerIndex(triggers);
    const ids = (e: ReturnType<typeof event>) => index.matching(e).map((t) => t.id);
    expect(ids(event("file.created"))).toEqual(["wild", "exact", "any"]);
    expect(ids(event("file.created", { "baton.resource.id": "f", kind: "csv" }))).toEqual(["wild", "exact", "any", "labelled"]);
    expect(ids(event("file.changed"))).toEqual(["wild", "any", "other"]);
    expect(ids(event("webhook.received"))).toEqual(["any"]);
    expect(index.size).toBe(5);
  });

  it("gives a trigger once even when it lists the same name twice", () => {
    const index = new TriggerIndex([{ id: "t", ...spec({ expect: ["a", "a"] }) }]);
    expect(index.matching(event("a")).map((t) => t.id)).toEqual(["t"]);
  });
});
