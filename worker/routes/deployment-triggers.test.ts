import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { eventually } from "../test/pool";
import { makeDeployment, makeFlow, unique } from "./deployment-fixtures";

const MISSING = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";
const onFile = { name: "on-file", expect: ["file.created"], match: { "baton.resource.id": "file./in/*" }, parameters: { path: "{{ event.payload.path }}" } };
const burst = { expect: ["webhook.received"], threshold: 3, within: 60 };

const triggersOf = async (id: string) => {
  const res = await api("GET", `/deployments/${id}/triggers`);
  expect(res.status).toBe(200);
  return res.body as { id: string; name: string | null; expect: string[] }[];
};

describe("deployment triggers over the API", () => {
  it("stores the triggers given on create, with defaults, in the answer and under /triggers", async () => {
    const { deployment } = await makeDeployment({ triggers: [onFile, burst] });
    const listed = await triggersOf(deployment.id);
    expect(deployment.triggers).toEqual(listed);
    expect(listed).toEqual([
      expect.objectContaining({ ...onFile, deployment_id: deployment.id, enabled: true, match_related: {}, threshold: 1, within: 0, id: expect.any(String) }),
      expect.objectContaining({ ...burst, name: null, enabled: true, match: {}, parameters: {} }),
    ]);
    const byId = (await api("GET", `/deployments/${deployment.id}`)).body;
    expect(byId.triggers).toEqual(listed);
    const plain = await makeDeployment();
    expect(plain.deployment.triggers).toEqual([]);
    const filtered = (await api("POST", "/deployments/filter", { deployments: { id: { any_: [deployment.id, plain.deployment.id] } } })).body;
    expect(Object.fromEntries(filtered.map((d: { id: string; triggers: unknown[] }) => [d.id, d.triggers.length]))).toEqual({ [deployment.id]: 2, [plain.deployment.id]: 0 });
  });

  it("replaces the set when triggers are sent, keeps it when they are not, and keeps the ids of triggers sent again", async () => {
    const { deployment, flow } = await makeDeployment({ triggers: [onFile, burst] });
    const [first, second] = await triggersOf(deployment.id);
    expect((await api("PATCH", `/deployments/${deployment.id}`, { description: "no trigger change" })).status).toBe(204);
    expect((await triggersOf(deployment.id)).map((t) => t.id)).toEqual([first!.id, second!.id]);

    // The named one is changed (same id), the unnamed one is dropped, a new one is added.
    const changed = { ...onFile, parameters: { path: "{{ event.resource.baton.resource.id }}" } };
    const added = { expect: ["file.deleted"] };
    expect((await api("PATCH", `/deployments/${deployment.id}`, { triggers: [changed, added] })).status).toBe(204);
    const now = await triggersOf(deployment.id);
    expect(now.map((t) => t.id)).toEqual([first!.id, expect.not.stringMatching(second!.id)]);
    expect(now[0]).toMatchObject({ parameters: changed.parameters });
    expect(now[1]).toMatchObject({ expect: ["file.deleted"] });

    // Redeploying (the upsert) with the same triggers changes nothing; with [] removes them all.
    const again = await api("POST", "/deployments/", { name: deployment.name, flow_id: flow.id, triggers: [changed, added] });
    expect(again.status).toBe(200);
    expect(again.body.triggers).toEqual(now);
    expect((await api("POST", "/deployments/", { name: deployment.name, flow_id: flow.id })).body.triggers).toEqual(now);
    expect((await api("POST", "/deployments/", { name: deployment.name, flow_id: flow.id, triggers: [] })).body.triggers).toEqual([]);
    expect(await triggersOf(deployment.id)).toEqual([]);
  });

  it("leaves one set of triggers after parallel identical creates", async () => {
    const flow = await makeFlow();
    const body = { name: unique("dep"), flow_id: flow.id, triggers: [onFile, burst] };
    const answers = await Promise.all(Array.from({ length: 6 }, () => api("POST", "/deployments/", body)));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await triggersOf(answers[0]!.body.id)).toHaveLength(2);
  });

  it("answers 422 naming the template that reads outside the event, or is no path, and stores nothing", async () => {
    const flow = await makeFlow();
    const name = unique("dep");
    const bad = await api("POST", "/deployments/", {
      name,
      flow_id: flow.id,
      triggers: [onFile, { expect: ["x"], parameters: { a: { b: ["{{ body.path }}"] }, c: "x {{ event..id }}" } }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toBe('invalid body.triggers.1.parameters.a.b[0]: "{{ body.path }}" must start with event');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.triggers.1.parameters.a.b[0]", "body.triggers.1.parameters.c"]);
    expect((await api("GET", `/deployments/name/${flow.name}/${name}`)).status).toBe(404);

    const { deployment } = await makeDeployment({ triggers: [onFile] });
    const patch = await api("PATCH", `/deployments/${deployment.id}`, { triggers: [{ parameters: { p: "{{ headers.x }}" } }] });
    expect(patch.status).toBe(422);
    expect(patch.body.errors[0].path).toBe("body.triggers.0.parameters.p");
    expect((await triggersOf(deployment.id)).map((t) => t.name)).toEqual(["on-file"]);
  });

  it("answers 422 for triggers that break the schema: a threshold without within, too many, a bad name", async () => {
    const flow = await makeFlow();
    const post = (triggers: unknown) => api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, triggers });
    const noWindow = await post([{ threshold: 2 }]);
    expect(noWindow.status).toBe(422);
    expect(noWindow.body.detail).toMatch(/^invalid body\.triggers\.0: a threshold above 1 needs `within`/);
    expect((await post(Array.from({ length: 21 }, () => ({})))).body.detail).toMatch(/at most 20 triggers/);
    expect((await post([{ expect: ["has space"] }])).body.errors[0].path).toBe("body.triggers.0.expect.0");
    expect((await post([{ within: -1 }])).status).toBe(422);
    expect((await post({})).status).toBe(422);
  });

  it("answers 404 for the triggers of an unknown deployment", async () => {
    const res = await api("GET", `/deployments/${MISSING}/triggers`);
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe(`deployment "${MISSING}" not found`);
  });

  it("emits deployment events for create, update, pause, resume and delete", async () => {
    const { deployment } = await makeDeployment();
    const id = deployment.id;
    await api("PATCH", `/deployments/${id}`, { description: "d", tags: ["x"] });
    await api("POST", `/deployments/${id}/pause_deployment`);
    await api("POST", `/deployments/${id}/resume_deployment`);
    await api("DELETE", `/deployments/${id}`);
    const rows = await eventually(async () => {
      const found = await env.DB.prepare("SELECT event, resource, payload FROM events WHERE resource_id = ? ORDER BY occurred").bind(`baton.deployment.${id}`).all<{ event: string; resource: string; payload: string }>();
      // Emitted in the background, possibly within one millisecond of each other: compared as a set.
      expect(found.results.map((r) => r.event).sort()).toEqual(
        ["created", "deleted", "paused", "resumed", "updated"].map((kind) => `baton.deployment.${kind}`),
      );
      return new Map(found.results.map((r) => [r.event, { resource: JSON.parse(r.resource), payload: JSON.parse(r.payload) }]));
    });
    expect(rows.get("baton.deployment.updated")!.payload).toEqual({ deployment_id: id, fields: ["description", "tags"] });
    expect(rows.get("baton.deployment.deleted")!.resource).toMatchObject({ "baton.resource.name": deployment.name });
  });
  it("refuses a trigger that passes a parameter the flow does not take, on create and on update, storing nothing", async () => {
    const flow = await makeFlow();
    const schema = { type: "object", properties: { path: { type: "string" } }, additionalProperties: false };
    const typo = { expect: ["file.created"], parameters: { pth: "{{ event.payload.path }}" } };
    const name = unique("dep");
    const create = await api("POST", "/deployments/", { name, flow_id: flow.id, parameter_openapi_schema: schema, triggers: [onFile, typo] });
    expect(create.status).toBe(422);
    expect(create.body.detail).toBe("invalid body.triggers.1.parameters.pth: unknown parameter (the flow's parameters are: path)");
    expect((await api("GET", `/deployments/name/${flow.name}/${name}`)).status).toBe(404);

    const { deployment } = await makeDeployment({ parameter_openapi_schema: schema, triggers: [onFile] });
    const update = await api("PATCH", `/deployments/${deployment.id}`, { triggers: [typo] });
    expect(update.status).toBe(422);
    expect((await triggersOf(deployment.id)).map((t) => t.name)).toEqual(["on-file"]);
  });
});
