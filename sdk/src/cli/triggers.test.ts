import { describe, expect, it } from "vitest";
import { UsageError } from "./errors";
import { afterTrigger, parseAfter, parseTrigger, parseTriggerParams, triggersFromFlags, triggerText } from "./triggers";

describe("--trigger", () => {
  it("takes an event name pattern as the names it expects", () => {
    expect(parseTrigger("file.created")).toEqual({ expect: ["file.created"] });
    expect(parseTrigger(" baton.flow-run.* ")).toEqual({ expect: ["baton.flow-run.*"] });
  });

  it("takes a whole trigger as JSON, checked against the protocol's schema", () => {
    const spec = { expect: ["webhook.received"], match: { "baton.resource.id": "x" }, threshold: 3, within: 60 };
    expect(parseTrigger(JSON.stringify(spec))).toEqual(spec);
    expect(() => parseTrigger('{"threshold": 3}')).toThrow(/a threshold above 1 needs `within`/);
    expect(() => parseTrigger('{"expect": "file.created"}')).toThrow(/^--trigger \{"expect": "file.created"\}: expect: /);
    expect(() => parseTrigger("{expect}")).toThrow(/is not valid JSON/);
  });

  it("refuses an event name with spaces, as a usage error", () => {
    expect(() => parseTrigger("file created")).toThrow(UsageError);
    expect(() => parseTrigger("")).toThrow(/must not be empty/);
  });
});

describe("--trigger-param", () => {
  it("keeps templates as text and reads JSON values as JSON", () => {
    expect(parseTriggerParams(["file={{ event.payload.path }}", "n=3", "flags=[1]", "eq=a=b"])).toEqual({
      file: "{{ event.payload.path }}",
      n: 3,
      flags: [1],
      eq: "a=b",
    });
    expect(() => parseTriggerParams(["novalue"])).toThrow(/expects key=template/);
  });
});

describe("--after", () => {
  it("reads an optional state after the last colon, Completed by default", () => {
    expect(parseAfter("etl/nightly")).toEqual({ deployment: "etl/nightly", state: "Completed" });
    expect(parseAfter("etl/nightly:Failed")).toEqual({ deployment: "etl/nightly", state: "Failed" });
    expect(parseAfter("etl/nightly:crashed")).toEqual({ deployment: "etl/nightly", state: "Crashed" });
    expect(parseAfter("etl/nightly:*")).toEqual({ deployment: "etl/nightly", state: "*" });
    // A colon that is not followed by a state belongs to the deployment's name.
    expect(parseAfter("etl/v2:beta")).toEqual({ deployment: "etl/v2:beta", state: "Completed" });
    expect(() => parseAfter("nightly:Failed")).toThrow(/Invalid deployment name "nightly"/);
  });

  it("builds the trigger on that deployment's flow-run events", () => {
    expect(afterTrigger("d1", "Failed")).toEqual({
      expect: ["baton.flow-run.Failed"],
      match_related: { "baton.resource.role": "deployment", "baton.resource.id": "baton.deployment.d1" },
    });
  });
});

describe("the trigger flags together", () => {
  const none = { triggers: [], params: [], after: [], clear: false };
  const noClient = undefined as never;

  it("applies --trigger-param to every trigger given, over a JSON trigger's own parameters", async () => {
    const build = triggersFromFlags({ ...none, triggers: ["a.b", '{"expect":["c"],"parameters":{"x":1,"y":2}}'], params: ["y={{ event.id }}"] });
    expect(await build(noClient)).toEqual([
      { expect: ["a.b"], parameters: { y: "{{ event.id }}" } },
      { expect: ["c"], parameters: { x: 1, y: "{{ event.id }}" } },
    ]);
  });

  it("leaves the triggers alone without flags, and clears them with --clear-triggers", async () => {
    expect(await triggersFromFlags(none)(noClient)).toBeUndefined();
    expect(await triggersFromFlags({ ...none, clear: true })(noClient)).toEqual([]);
  });

  it("refuses flags that contradict each other before anything is asked", () => {
    expect(() => triggersFromFlags({ ...none, params: ["a=1"] })).toThrow("--trigger-param needs a --trigger or --after to apply to");
    expect(() => triggersFromFlags({ ...none, clear: true, triggers: ["a"] })).toThrow(/--clear-triggers removes every trigger/);
  });

  it("describes a trigger in one line", () => {
    const base = { expect: [], match: {}, match_related: {}, threshold: 1, within: 0 };
    expect(triggerText(base)).toBe("any event");
    expect(triggerText({ ...base, expect: ["a", "b.*"], match: { kind: ["csv", "tsv"] }, threshold: 3, within: 60 })).toBe("a | b.* where kind=csv|tsv (3 within 60 s)");
    expect(triggerText({ ...base, ...afterTrigger("d1", "Completed") })).toBe("baton.flow-run.Completed of baton.deployment.d1");
    // A deployment waited on is named as people name it, when its name is known.
    expect(triggerText({ ...base, ...afterTrigger("d1", "Completed") }, new Map([["baton.deployment.d1", "etl/nightly"]]))).toBe("baton.flow-run.Completed of etl/nightly");
  });
});
