import { describe, expect, it } from "vitest";
import { describeExpect, describeFiring, describeLabels, describeParameters, noScheduleText } from "./triggers.data";

describe("trigger descriptions", () => {
  it("lists the expected event names, an empty list meaning any event", () => {
    expect(describeExpect(["shop.order.*"])).toBe("shop.order.*");
    expect(describeExpect(["a.b", "c.*"])).toBe("a.b, c.*");
    expect(describeExpect([])).toBe("any event");
  });

  it("gives one line per label, alternatives joined with or", () => {
    expect(describeLabels({ "baton.resource.id": "shop.*", region: ["eu", "us"] })).toEqual(["baton.resource.id = shop.*", "region = eu or us"]);
    expect(describeLabels({})).toEqual([]);
  });

  it("says when it fires: every event, or a threshold within a window", () => {
    expect(describeFiring({ threshold: 1, within: 0 })).toBe("on every matching event");
    expect(describeFiring({ threshold: 10, within: 60 })).toBe("once 10 matching events arrive within 1m 00s");
  });

  it("shows the parameters template, or nothing when it has none", () => {
    expect(describeParameters({ name: "order {{ event.payload.order_id }}" })).toBe('{\n  "name": "order {{ event.payload.order_id }}"\n}');
    expect(describeParameters({})).toBeUndefined();
  });

  it("does not claim a deployment with triggers runs only when asked", () => {
    expect(noScheduleText(0)).toMatch(/runs only when asked/);
    expect(noScheduleText(1)).toMatch(/^No schedule: this deployment runs when asked, or when its trigger fires/);
    expect(noScheduleText(2)).toMatch(/one of its triggers fires/);
  });
});
