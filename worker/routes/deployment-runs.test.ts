import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newDeployment, newFlow } from "../test/runs";

const UNKNOWN = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";
const createRun = (id: string, body: Record<string, unknown> = {}) => api("POST", `/deployments/${id}/create_flow_run`, body);
const runsOf = async (deploymentId: string) => (await api("POST", "/flow_runs/count", { deployments: { id: { any_: [deploymentId] } } })).body;

const SCHEMA = {
  type: "object",
  properties: { name: { type: "string" }, times: { type: "integer", minimum: 1 } },
  required: ["name"],
  additionalProperties: false,
};

describe("creating a flow run from a deployment", () => {
  it("creates a SCHEDULED run in the deployment's pool with merged parameters, tags and retry policy", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId, { parameters: { name: "World", times: 1 }, tags: ["prod"], retries: 3, retry_delay_seconds: 20 });
    const before = Date.now();
    const res = await createRun(dep.id, { parameters: { times: 2 }, tags: ["manual", "prod"] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      flow_id: flowId,
      deployment_id: dep.id,
      work_pool_name: dep.poolName,
      parameters: { name: "World", times: 2 },
      tags: ["prod", "manual"],
      state_type: "SCHEDULED",
      state_name: "Scheduled",
      empirical_policy: { retries: 3, retry_delay: 20 },
    });
    expect(Date.parse(res.body.expected_start_time)).toBeGreaterThanOrEqual(before - 1);
    expect(res.body.expected_start_time).toBe(res.body.state.state_details.scheduled_time);
    expect(res.body.name).toMatch(/^[a-z]+-[a-z]+$/);
  });

  it("schedules the run at the time asked for, under the name given", async () => {
    const dep = await newDeployment(await newFlow());
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const res = await createRun(dep.id, { scheduled_time: later, name: "tonight" });
    expect(res.body).toMatchObject({ name: "tonight", expected_start_time: later, estimated_start_time_delta: 0 });
  });

  it("answers 422, not 500, to a scheduled_time that matches the ISO pattern but names no instant", async () => {
    const dep = await newDeployment(await newFlow());
    const res = await createRun(dep.id, { scheduled_time: "2030-01-01T00:00:00 +02" });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe("body.scheduled_time");
    expect(await runsOf(dep.id)).toBe(0);
  });

  it("creates one run for parallel requests with the same idempotency key", async () => {
    const dep = await newDeployment(await newFlow());
    const answers = await Promise.all(Array.from({ length: 6 }, () => createRun(dep.id, { idempotency_key: "click-1" })));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(await runsOf(dep.id)).toBe(1);
  });

  it("checks parameters against an enforced schema with 422 naming each bad one", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId, { parameter_openapi_schema: SCHEMA, enforce_parameter_schema: 1 });
    const res = await createRun(dep.id, { parameters: { times: 0 } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/^parameters do not match the deployment's schema: /);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(["parameters", "parameters.times"]);
    expect(await runsOf(dep.id)).toBe(0);
    expect((await createRun(dep.id, { parameters: { name: "Ada", times: 2 } })).status).toBe(201);
    const lax = await newDeployment(flowId, { parameter_openapi_schema: SCHEMA, enforce_parameter_schema: 0 });
    expect((await createRun(lax.id, { parameters: { times: 0 } })).status).toBe(201);
  });

  it("answers 422 naming unknown parameters and the ones the flow takes, creating nothing", async () => {
    const dep = await newDeployment(await newFlow(), { parameter_openapi_schema: SCHEMA, enforce_parameter_schema: 1 });
    const res = await createRun(dep.id, { parameters: { name: "Ada", bogus: 1 } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe("parameters do not match the deployment's schema: parameters.bogus: unknown parameter (the flow's parameters are: name, times)");
    expect(res.body.errors).toEqual([{ path: "parameters.bogus", message: "unknown parameter (the flow's parameters are: name, times)" }]);
    expect(await runsOf(dep.id)).toBe(0);
  });

  it("keeps accepting any parameter for a flow that declares none (the SDK's open schema) or has no schema", async () => {
    const flowId = await newFlow();
    const open = await newDeployment(flowId, { parameter_openapi_schema: { type: "object", additionalProperties: true }, enforce_parameter_schema: 1 });
    expect((await createRun(open.id, { parameters: { bogus: 1 } })).status).toBe(201);
    const none = await newDeployment(flowId);
    expect((await createRun(none.id, { parameters: { bogus: 1 } })).status).toBe(201);
  });

  it("answers 409 for a paused deployment, 404 for an unknown one, 422 for a bad body", async () => {
    const paused = await newDeployment(await newFlow(), { paused: 1 });
    const res = await createRun(paused.id);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/^deployment is paused/);
    expect(await runsOf(paused.id)).toBe(0);
    const missing = await createRun(UNKNOWN);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe(`deployment "${UNKNOWN}" not found`);
    const bad = await createRun(paused.id, { scheduled_time: "tomorrow" });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("body.scheduled_time");
  });
});
