import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import type { RunContext } from "./context";
import { buildEvent } from "./event-build";

const FLOW_RUN = "0a8e6f4c-3b0f-4d8e-9a1e-5b2c7d9e0f11";
const TASK_RUN = "1b9f7a5d-4c1a-4e9f-8b2f-6c3d8e0f1a22";
const run = (task = false): RunContext =>
  ({ flowRun: { id: FLOW_RUN, name: "warm-owl" }, ...(task ? { taskRun: { id: TASK_RUN, name: "load-0" } } : {}) }) as RunContext;
const at = new Date("2026-11-25T15:00:00.000Z");

describe("buildEvent", () => {
  it("inside a flow run is about the run unless told otherwise", () => {
    const e = buildEvent("orders.loaded", { payload: { n: 3 } }, run(), at);
    expect(e).toMatchObject({
      event: "orders.loaded",
      occurred: "2026-11-25T15:00:00.000Z",
      resource: { "baton.resource.id": `baton.flow-run.${FLOW_RUN}`, "baton.resource.name": "warm-owl" },
      related: [],
      payload: { n: 3 },
    });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("inside a task run about something else, relates the flow run and the task run", () => {
    const e = buildEvent("order.shipped", { resource: "shop.order.42" }, run(true), at);
    expect(e.resource).toEqual({ "baton.resource.id": "shop.order.42" });
    expect(e.related).toEqual([
      { "baton.resource.id": `baton.flow-run.${FLOW_RUN}`, "baton.resource.name": "warm-owl", "baton.resource.role": "flow-run" },
      { "baton.resource.id": `baton.task-run.${TASK_RUN}`, "baton.resource.name": "load-0", "baton.resource.role": "task-run" },
    ]);
  });

  it("does not relate the run twice when the caller already did", () => {
    const mine = { "baton.resource.id": `baton.flow-run.${FLOW_RUN}`, "baton.resource.role": "source" };
    const e = buildEvent("x.y", { resource: { "baton.resource.id": "a", team: "data" }, related: [mine] }, run(), at);
    expect(e.related).toEqual([mine]);
    expect(e.resource).toEqual({ "baton.resource.id": "a", team: "data" });
  });

  it("outside a run is about this machine, keeps a given id and time", () => {
    const e = buildEvent("backup.done", { id: "5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d", occurred: "2026-01-02T03:04:05Z" }, undefined, at);
    expect(e.resource).toEqual({ "baton.resource.id": `baton.host.${hostname()}`, "baton.resource.name": hostname() });
    expect(e.id).toBe("5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d");
    expect(e.occurred).toBe("2026-01-02T03:04:05.000Z");
  });

  it("throws at the call for what the server would refuse", () => {
    expect(() => buildEvent("has space", {}, undefined, at)).toThrow(/event "has space": event must not contain spaces/);
    expect(() => buildEvent("a.b", { resource: { name: "no id" } }, undefined, at)).toThrow(/must have a "baton.resource.id" label/);
    expect(() => buildEvent("a.b", { related: [{ "baton.resource.id": "x" }] }, undefined, at)).toThrow(/related.0 must have a "baton.resource.role"/);
    expect(() => buildEvent("a.b", { payload: [1] as never }, undefined, at)).toThrow(/payload must be a JSON object/);
    expect(() => buildEvent("a.b", { occurred: "yesterday" }, undefined, at)).toThrow(/occurred must be an ISO 8601 timestamp/);
    expect(() => buildEvent("a.b", { id: "42" }, undefined, at)).toThrow(/id must be a UUID/);
  });
});
