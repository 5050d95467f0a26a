import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Event } from "../../protocol/events";
import { makeFlow, makePool, unique } from "../routes/deployment-fixtures";
import { api } from "../test/http";
import { eventually } from "../test/pool";
import { sqlFirst } from "../test/runs";
import { connectWorker } from "../test/sockets";
import { triggerEngine } from "./engine";

/*
 * The trigger engine in real workerd: events handed to the one TriggerEngine object as emitEvents hands
 * them, deployments and triggers written through the API, runs read back over the API.
 */

type Dep = { id: string; name: string; flow_id: string; work_pool_name: string };

async function deploymentWithTriggers(triggers: unknown[], fields: Record<string, unknown> = {}): Promise<Dep> {
  const flow = await makeFlow();
  const pool = await makePool();
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, work_pool_name: pool, triggers, ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

let clock = Date.parse("2030-01-01T00:00:00.000Z");
function event(name: string, fields: Partial<Event> = {}): Event {
  const occurred = fields.occurred ?? new Date(clock++).toISOString();
  return { id: crypto.randomUUID(), occurred, received: occurred, event: name, resource: { "baton.resource.id": `test.${name}` }, related: [], payload: {}, ...fields };
}
const at = (base: number, seconds: number) => new Date(base + seconds * 1000).toISOString();

const evaluate = (...events: Event[]) => triggerEngine(env).evaluate(events);

async function runsOf(deploymentId: string): Promise<any[]> {
  const res = await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } }, sort: "EXPECTED_START_TIME_ASC" });
  expect(res.status).toBe(200);
  return res.body;
}

async function failuresOf(deploymentId: string): Promise<{ payload: string }[]> {
  const rows = await env.DB.prepare("SELECT payload FROM events WHERE event = 'baton.trigger.failed' AND payload ->> 'deployment_id' = ?").bind(deploymentId).all<{ payload: string }>();
  return rows.results;
}

describe("a trigger with threshold 1", () => {
  it("starts one run per matching event, with its parameters templated from the event, offered to a connected worker", async () => {
    const name = unique("file.created");
    const dep = await deploymentWithTriggers([{ expect: [name], parameters: { file: "{{ event.payload.path }}", size: "{{ event.payload.size }}", note: "got {{ event.payload.path }}" } }], {
      parameters: { file: "default.csv", mode: "fast" },
    });
    const worker = await connectWorker(dep.work_pool_name);
    const e = event(name, { payload: { path: "/data/in/a.csv", size: 42 } });
    await evaluate(e);

    const runs = await runsOf(dep.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      parameters: { file: "/data/in/a.csv", size: 42, note: "got /data/in/a.csv", mode: "fast" },
      idempotency_key: `trigger:${(await api("GET", `/deployments/${dep.id}/triggers`)).body[0].id}:${e.id}`,
    });
    const offer = await worker.next("offer");
    expect(offer.flow_run.id).toBe(runs[0].id);
    // The run's first state says what started it (the worker's claim has moved it on since).
    const history = (await api("GET", `/flow_run_states/?flow_run_id=${runs[0].id}`)).body;
    expect(history[0]).toMatchObject({ type: "SCHEDULED", message: `Triggered by ${name} (${e.id})` });
    worker.close();
  });

  it("starts one run when the same event is delivered twice, in one batch or two", async () => {
    const name = unique("dup");
    const dep = await deploymentWithTriggers([{ expect: [name] }]);
    const e = event(name);
    await evaluate(e, e);
    await evaluate(e);
    await Promise.all([evaluate(e), evaluate(e)]);
    expect(await runsOf(dep.id)).toHaveLength(1);
    await evaluate(event(name));
    expect(await runsOf(dep.id)).toHaveLength(2);
  });

  it("ignores events whose name, resource labels or related resources do not match", async () => {
    const name = unique("labelled");
    const dep = await deploymentWithTriggers([
      { expect: [`${name}.*`], match: { "baton.resource.id": "file./in/*" }, match_related: { "baton.resource.role": "webhook", "baton.resource.name": ["github", "gitlab"] } },
    ]);
    const related = [{ "baton.resource.id": "baton.webhook.1", "baton.resource.role": "webhook", "baton.resource.name": "gitlab" }];
    await evaluate(
      event(`${name}.x`, { resource: { "baton.resource.id": "file./out/a" }, related }),
      event(`${name}.x`, { resource: { "baton.resource.id": "file./in/a" }, related: [{ ...related[0]!, "baton.resource.name": "bitbucket" }] }),
      event(`other.${name}`, { resource: { "baton.resource.id": "file./in/a" }, related }),
    );
    expect(await runsOf(dep.id)).toHaveLength(0);
    await evaluate(event(`${name}.x`, { resource: { "baton.resource.id": "file./in/a" }, related }));
    expect(await runsOf(dep.id)).toHaveLength(1);
  });

  it("does nothing when disabled", async () => {
    const name = unique("off");
    const dep = await deploymentWithTriggers([{ expect: [name], enabled: false }]);
    await evaluate(event(name));
    expect(await runsOf(dep.id)).toHaveLength(0);
  });
});

describe("a trigger that matches its own runs' events", () => {
  it("ignores the events of the runs it started until they end, so it never loops on runs nobody ran", async () => {
    const [dep, other] = [await deploymentWithTriggers([]), await deploymentWithTriggers([])];
    // Follows both deployments' runs (and no other test's); `other` has no real runs, whose own
    // events would race with the synthetic ones below.
    const followed = [dep.id, other.id].map((id) => `baton.deployment.${id}`);
    const patched = await api("PATCH", `/deployments/${dep.id}`, { triggers: [{ expect: ["baton.flow-run.*"], match_related: { "baton.resource.id": followed } }] });
    expect(patched.status).toBe(204);
    const stateEvent = (runId: string, stateType: string, deploymentId: string) =>
      event(`baton.flow-run.${stateType}`, {
        resource: { "baton.resource.id": `baton.flow-run.${runId}`, "baton.state-type": stateType },
        related: [{ "baton.resource.id": `baton.deployment.${deploymentId}`, "baton.resource.role": "deployment" }],
      });
    await evaluate(stateEvent(crypto.randomUUID(), "COMPLETED", other.id));
    const [first] = await runsOf(dep.id);
    expect(first).toBeDefined();
    // Its own run's Scheduled event (sent by the real pipeline too) and Running event start nothing...
    await evaluate(stateEvent(first.id, "SCHEDULED", dep.id), stateEvent(first.id, "RUNNING", dep.id));
    expect(await runsOf(dep.id)).toHaveLength(1);
    // ...its end does.
    await evaluate(stateEvent(first.id, "COMPLETED", dep.id));
    expect(await runsOf(dep.id)).toHaveLength(2);
  });
});

describe("a threshold trigger", () => {
  it("fires once 3 events fall within 60 s, then counts again from zero", async () => {
    const name = unique("burst");
    const dep = await deploymentWithTriggers([{ expect: [name], threshold: 3, within: 60, parameters: { last: "{{ event.id }}" } }]);
    const base = Date.parse("2030-02-01T00:00:00.000Z");
    await evaluate(event(name, { occurred: at(base, 0) }), event(name, { occurred: at(base, 10) }));
    expect(await runsOf(dep.id)).toHaveLength(0);
    const third = event(name, { occurred: at(base, 20) });
    await evaluate(third);
    const runs = await runsOf(dep.id);
    expect(runs).toHaveLength(1);
    expect(runs[0].parameters).toEqual({ last: third.id });
    // The window was used up: two more are not enough, a third is.
    await evaluate(event(name, { occurred: at(base, 21) }), event(name, { occurred: at(base, 22) }));
    expect(await runsOf(dep.id)).toHaveLength(1);
    await evaluate(event(name, { occurred: at(base, 23) }));
    expect(await runsOf(dep.id)).toHaveLength(2);
  });

  it("does not count events older than `within` before the one that arrives", async () => {
    const name = unique("slow");
    const dep = await deploymentWithTriggers([{ expect: [name], threshold: 3, within: 60 }]);
    const base = Date.parse("2030-03-01T00:00:00.000Z");
    await evaluate(event(name, { occurred: at(base, 0) }), event(name, { occurred: at(base, 30) }), event(name, { occurred: at(base, 60) }));
    // (0, 60] holds 30 and 60 only: the event at 0 is exactly `within` before.
    expect(await runsOf(dep.id)).toHaveLength(0);
    await evaluate(event(name, { occurred: at(base, 200) }));
    expect(await runsOf(dep.id)).toHaveLength(0);
    await evaluate(event(name, { occurred: at(base, 61) }));
    expect(await runsOf(dep.id)).toHaveLength(1);
  });

  it("counts a redelivered event once", async () => {
    const name = unique("again");
    const dep = await deploymentWithTriggers([{ expect: [name], threshold: 2, within: 60 }]);
    const e = event(name);
    await evaluate(e, e);
    await evaluate(e);
    expect(await runsOf(dep.id)).toHaveLength(0);
    await evaluate(event(name));
    expect(await runsOf(dep.id)).toHaveLength(1);
    // After the firing, the events it used up still count once: a late duplicate starts nothing.
    await evaluate(e);
    await evaluate(event(name));
    expect(await runsOf(dep.id)).toHaveLength(1);
  });

  it("keeps its window in the object's own storage, one row per counted event", async () => {
    const name = unique("rows");
    await deploymentWithTriggers([{ expect: [name], threshold: 5, within: 60 }]);
    const events = [event(name), event(name)];
    await evaluate(...events, events[0]!);
    const rows = await runInDurableObject(triggerEngine(env), (_, state) =>
      state.storage.sql.exec("SELECT event_id FROM trigger_window WHERE event_id IN (?, ?)", events[0]!.id, events[1]!.id).toArray(),
    );
    expect(rows).toHaveLength(2);
  });
});

describe("when a trigger cannot start its run", () => {
  it("emits baton.trigger.failed for a paused deployment, and starts nothing", async () => {
    const name = unique("paused");
    const dep = await deploymentWithTriggers([{ name: "on-file", expect: [name] }], { paused: true });
    const e = event(name);
    await evaluate(e);
    expect(await runsOf(dep.id)).toHaveLength(0);
    const [failure] = await eventually(async () => {
      const rows = await failuresOf(dep.id);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(JSON.parse(failure!.payload)).toMatchObject({ event_id: e.id, event: name, reason: expect.stringMatching(/paused/) });
  });

  it("emits baton.trigger.failed when the templated parameters do not fit the deployment's schema", async () => {
    const name = unique("schema");
    const schema = { type: "object", properties: { count: { type: "integer" } }, required: ["count"] };
    const dep = await deploymentWithTriggers([{ expect: [name], parameters: { count: "{{ event.payload.count }}" } }], { parameter_openapi_schema: schema });
    await evaluate(event(name, { payload: { count: "many" } }));
    expect(await runsOf(dep.id)).toHaveLength(0);
    const rows = await eventually(async () => {
      const found = await failuresOf(dep.id);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(JSON.parse(rows[0]!.payload).reason).toMatch(/^parameters do not match the deployment's schema: parameters.count/);
    await evaluate(event(name, { payload: { count: 3 } }));
    expect((await runsOf(dep.id)).map((r) => r.parameters)).toEqual([{ count: 3 }]);
  });

  it("emits baton.trigger.failed naming a templated parameter the flow no longer takes", async () => {
    const name = unique("unknown");
    // Saving such a trigger is refused (routes/deployment-triggers.test.ts); it can still meet a schema changed after it.
    const open = { type: "object", properties: { file: { type: "string" } }, additionalProperties: true };
    const dep = await deploymentWithTriggers([{ expect: [name], parameters: { file: "{{ event.payload.path }}", bogus: "{{ event.id }}" } }], { parameter_openapi_schema: open });
    const closed = { type: "object", properties: { file: { type: "string" } }, additionalProperties: false };
    expect((await api("PATCH", `/deployments/${dep.id}`, { parameter_openapi_schema: closed })).status).toBe(204);
    await evaluate(event(name, { payload: { path: "/a.csv" } }));
    const [failure] = await eventually(async () => {
      const rows = await failuresOf(dep.id);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(JSON.parse(failure!.payload).reason).toBe("parameters do not match the deployment's schema: parameters.bogus: unknown parameter (the flow's parameters are: file)");
    expect(await runsOf(dep.id)).toHaveLength(0);
  });

  it("passes templated values as found, never coerced: a number for a string parameter fails, and says which template found nothing", async () => {
    const name = unique("typed");
    const schema = { type: "object", properties: { file: { type: "string" } }, required: ["file"] };
    const dep = await deploymentWithTriggers([{ expect: [name], parameters: { file: "{{ event.payload.size }}" } }], { parameter_openapi_schema: schema });
    await evaluate(event(name, { payload: { size: 42 } }), event(name, { payload: {} }));
    const rows = await eventually(async () => {
      const found = await failuresOf(dep.id);
      expect(found).toHaveLength(2);
      return found;
    });
    const reasons = rows.map((r) => JSON.parse(r.payload).reason).sort();
    expect(reasons).toEqual([
      'parameters do not match the deployment\'s schema: parameters.file: Instance type "null" is invalid. Expected "string". (the trigger\'s template found nothing at event.payload.size)',
      'parameters do not match the deployment\'s schema: parameters.file: Instance type "number" is invalid. Expected "string".',
    ]);
    expect(await runsOf(dep.id)).toHaveLength(0);
  });

  it("sees a pause, a resume and new triggers at once (the cache is dropped on every change)", async () => {
    const name = unique("toggle");
    const dep = await deploymentWithTriggers([{ expect: [name] }]);
    await evaluate(event(name));
    expect(await runsOf(dep.id)).toHaveLength(1);
    expect((await api("POST", `/deployments/${dep.id}/pause_deployment`)).status).toBe(204);
    await evaluate(event(name));
    expect(await runsOf(dep.id)).toHaveLength(1);
    expect((await api("POST", `/deployments/${dep.id}/resume_deployment`)).status).toBe(204);
    await evaluate(event(name));
    expect(await runsOf(dep.id)).toHaveLength(2);
    const other = unique("other");
    expect((await api("PATCH", `/deployments/${dep.id}`, { triggers: [{ expect: [other] }] })).status).toBe(204);
    await evaluate(event(name), event(other));
    expect(await runsOf(dep.id)).toHaveLength(3);
    expect((await api("DELETE", `/deployments/${dep.id}`)).status).toBe(204);
    await evaluate(event(other));
    expect(await sqlFirst("SELECT count(*) AS n FROM flow_runs WHERE flow_id = ?", dep.flow_id)).toEqual({ n: 3 });
  });
});

describe("when the engine's copy of a deployment is stale (changed behind its back, no invalidation)", () => {
  it("reloads and tries once more: a pool deleted meanwhile leaves the run without a pool", async () => {
    const name = unique("stale-pool");
    const dep = await deploymentWithTriggers([{ expect: [name] }]);
    await evaluate(event(name));
    expect((await runsOf(dep.id))[0].work_pool_name).toBe(dep.work_pool_name);
    await env.DB.prepare("DELETE FROM work_pools WHERE name = ?").bind(dep.work_pool_name).run();
    await evaluate(event(name));
    // (Deleting the pool also unlinked the first run, by its foreign key.)
    expect((await runsOf(dep.id)).map((r) => r.work_pool_name)).toEqual([null, null]);
    // Not a dangling pool id: the retry read the deployment as it now is.
    expect(await sqlFirst("SELECT count(*) AS n FROM flow_runs WHERE deployment_id = ? AND work_pool_id IS NULL", dep.id)).toEqual({ n: 2 });
    expect(await failuresOf(dep.id)).toEqual([]);
  });

  it("reports a deployment deleted meanwhile as baton.trigger.failed", async () => {
    const name = unique("stale-dep");
    const dep = await deploymentWithTriggers([{ expect: [name] }]);
    await evaluate(event(name));
    await env.DB.prepare("DELETE FROM deployments WHERE id = ?").bind(dep.id).run();
    const e = event(name);
    await evaluate(e);
    const rows = await eventually(async () => {
      const found = await failuresOf(dep.id);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ event_id: e.id, reason: "the deployment or the trigger was deleted" });
  });
});

describe("chaining", () => {
  it("starts B when A's run completes through the state route, with a parameter from A's event", async () => {
    const a = await deploymentWithTriggers([]);
    const b = await deploymentWithTriggers([
      {
        expect: ["baton.flow-run.Completed"],
        match_related: { "baton.resource.role": "deployment", "baton.resource.id": `baton.deployment.${a.id}` },
        parameters: { upstream_run: "{{ event.payload.flow_run_id }}", upstream_name: "{{ event.resource.baton.resource.name }}" },
      },
    ]);
    const run = (await api("POST", `/deployments/${a.id}/create_flow_run`, {})).body;
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } })).body.status).toBe("ACCEPT");
    // Another state of A, or another deployment's completion, starts nothing.
    const c = await deploymentWithTriggers([]);
    const unrelated = (await api("POST", `/deployments/${c.id}/create_flow_run`, {})).body;
    await api("POST", `/flow_runs/${unrelated.id}/set_state`, { state: { type: "COMPLETED" }, force: true });
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "COMPLETED" } })).body.status).toBe("ACCEPT");

    const started = await eventually(async () => {
      const runs = await runsOf(b.id);
      expect(runs).toHaveLength(1);
      return runs[0];
    }, 10_000);
    expect(started.parameters).toEqual({ upstream_run: run.id, upstream_name: run.name });
    expect(started.state.message).toMatch(/^Triggered by baton\.flow-run\.Completed \(/);
  }, 15_000);
});
