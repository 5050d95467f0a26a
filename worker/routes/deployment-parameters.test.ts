import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { inMinutes, insertRun, makeDeployment, makeFlow, runIdsOf, unique } from "./deployment-fixtures";

const schema = {
  type: "object",
  properties: { name: { type: "string" }, count: { type: "integer", minimum: 1 } },
  required: ["name"],
};

describe("deployment parameter schema", () => {
  it("refuses default parameters that do not fit an enforced schema, writing nothing", async () => {
    const flow = await makeFlow();
    const body = { name: unique("dep"), flow_id: flow.id, parameter_openapi_schema: schema };
    const bad = await api("POST", "/deployments/", { ...body, parameters: { name: "x", count: 0 } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toBe("invalid body.parameters.count: 0 is less than 1.");
    expect(bad.body.errors).toEqual([{ path: "body.parameters.count", message: "0 is less than 1." }]);
    expect((await api("GET", `/deployments/name/${flow.name}/${body.name}`)).status).toBe(404);
    // Required parameters may be left to each run.
    expect((await api("POST", "/deployments/", { ...body, parameters: { count: 2 } })).status).toBe(201);
    const lax = { ...body, name: unique("dep"), enforce_parameter_schema: false, parameters: { count: 0 } };
    expect((await api("POST", "/deployments/", lax)).status).toBe(201);
  });

  it("checks each schedule's parameters on top of the deployment's", async () => {
    const flow = await makeFlow();
    const schedules = [{ schedule: { interval: 60 } }, { schedule: { interval: 60 }, parameters: { name: 5 } }];
    const body = { name: unique("dep"), flow_id: flow.id, parameter_openapi_schema: schema, parameters: { name: "a" }, schedules };
    const res = await api("POST", "/deployments/", body);
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toEqual({ path: "body.schedules.1.parameters.name", message: 'Instance type "number" is invalid. Expected "string".' });
    const created = await api("POST", "/deployments/", { ...body, schedules: [schedules[0]] });
    expect(created.status).toBe(201);
    const url = `/deployments/${created.body.id}/schedules`;
    const added = await api("POST", url, [{ schedule: { interval: 30 }, parameters: { count: -1 } }]);
    expect(added.status).toBe(422);
    expect(added.body.errors[0].path).toBe("body.0.parameters.count");
    const [only] = (await api("GET", url)).body;
    const patched = await api("PATCH", `${url}/${only.id}`, { parameters: { count: "many" } });
    expect(patched.status).toBe(422);
    expect(patched.body.errors[0].path).toBe("body.parameters.count");
    expect((await api("PATCH", `${url}/${only.id}`, { parameters: { count: 3 } })).status).toBe(204);
  });

  it("checks an update against the schema as it will be, changing nothing when refused", async () => {
    const { deployment } = await makeDeployment({ parameter_openapi_schema: schema, parameters: { name: "a", count: 1 } });
    const url = `/deployments/${deployment.id}`;
    expect((await api("PATCH", url, { parameters: { name: 1 } })).status).toBe(422);
    const stricter = { ...schema, properties: { ...schema.properties, count: { type: "integer", minimum: 5 } } };
    const res = await api("PATCH", url, { parameter_openapi_schema: stricter });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe("body.parameters.count");
    expect((await api("GET", url)).body).toMatchObject({ parameters: { name: "a", count: 1 }, parameter_openapi_schema: schema });
    expect((await api("PATCH", url, { parameter_openapi_schema: stricter, enforce_parameter_schema: false })).status).toBe(204);
  });

  it("new default parameters drop the upcoming auto-scheduled runs made with the old ones", async () => {
    const { deployment } = await makeDeployment({ parameters: { name: "a" } });
    const schedule = crypto.randomUUID();
    await insertRun(deployment, { schedule, start: inMinutes(10) });
    const late = await insertRun(deployment, { schedule, start: inMinutes(-10), state: ["SCHEDULED", "Late"] });
    expect((await api("PATCH", `/deployments/${deployment.id}`, { description: "same runs" })).status).toBe(204);
    expect(await runIdsOf(deployment.id)).toHaveLength(2);
    expect((await api("PATCH", `/deployments/${deployment.id}`, { parameters: { name: "b" } })).status).toBe(204);
    expect(await runIdsOf(deployment.id)).toEqual([late]);
  });
});
