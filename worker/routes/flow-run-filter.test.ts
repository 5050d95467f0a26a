import { env } from "cloudflare:test";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { FlowRunFilter } from "../../protocol/flow-runs";
import { createDb } from "../db/client";
import { flowRunFilterQuery } from "../db/flow-run-filter";
import { api } from "../test/http";
import { newDeployment, newFlow, newFlowRun } from "../test/runs";

const filter = async (body: Record<string, unknown>) => {
  const res = await api("POST", "/flow_runs/filter", body);
  expect(res.status).toBe(200);
  return res.body as { id: string; name: string; state_name: string }[];
};
const names = (runs: { name: string }[]) => runs.map((r) => r.name);
const at = (offsetMs: number) => new Date(Date.UTC(2030, 0, 1) + offsetMs).toISOString();
const scheduled = (time: string) => ({ type: "SCHEDULED", state_details: { scheduled_time: time } });

describe("filtering flow runs", () => {
  it("filters by state, name, tags, times and parent, sorts and pages", async () => {
    const flowId = await newFlow();
    const byFlow = { flows: { id: { any_: [flowId] } } };
    const parent = crypto.randomUUID();
    await newFlowRun({ flow_id: flowId, name: "a", tags: ["x", "y"], state: scheduled(at(0)) });
    await newFlowRun({ flow_id: flowId, name: "b", tags: ["x"], state: scheduled(at(1000)) });
    const c = await newFlowRun({ flow_id: flowId, name: "c", state: { type: "RUNNING", timestamp: at(2000) }, parent_task_run_id: parent });
    expect(names(await filter(byFlow))).toEqual(["c", "b", "a"]);
    expect(names(await filter({ ...byFlow, sort: "EXPECTED_START_TIME_ASC", limit: 2 }))).toEqual(["a", "b"]);
    expect(names(await filter({ ...byFlow, sort: "NAME_DESC", offset: 1 }))).toEqual(["b", "a"]);
    expect(names(await filter({ ...byFlow, flow_runs: { state: { type: { any_: ["SCHEDULED"] } } } }))).toEqual(["b", "a"]);
    expect(names(await filter({ ...byFlow, flow_runs: { state: { type: { any_: ["RUNNING", "PENDING"] } } } }))).toEqual(["c"]);
    expect(names(await filter({ ...byFlow, flow_runs: { tags: { all_: ["x", "y"] } } }))).toEqual(["a"]);
    expect(names(await filter({ ...byFlow, flow_runs: { name: { any_: ["a", "c"] } } }))).toEqual(["c", "a"]);
    expect(names(await filter({ ...byFlow, flow_runs: { expected_start_time: { after_: at(500), before_: at(1000) } } }))).toEqual(["b"]);
    expect(names(await filter({ ...byFlow, flow_runs: { start_time: { after_: at(0) } } }))).toEqual(["c"]);
    expect(names(await filter({ ...byFlow, flow_runs: { parent_task_run_id: { any_: [parent] } } }))).toEqual(["c"]);
    expect(names(await filter({ ...byFlow, flow_runs: { parent_task_run_id: { is_null_: true } } }))).toEqual(["b", "a"]);
    expect(names(await filter({ ...byFlow, flow_runs: { id: { any_: [c.id] } } }))).toEqual(["c"]);
    expect((await api("POST", "/flow_runs/count", { ...byFlow, flow_runs: { tags: { all_: ["x"] } } })).body).toBe(2);
  });

  it("filters by flow name, deployment and work pool", async () => {
    const flowId = await newFlow();
    const flowName = (await api("GET", `/flows/${flowId}`)).body.name;
    const dep = await newDeployment(flowId);
    const direct = await newFlowRun({ flow_id: flowId, name: "direct" });
    const deployed = await newFlowRun({ flow_id: flowId, name: "deployed", deployment_id: dep.id });
    expect(deployed.work_pool_name).toBe(dep.poolName);
    expect(names(await filter({ flows: { name: { any_: [flowName] } } }))).toEqual(["deployed", "direct"]);
    expect(names(await filter({ deployments: { id: { any_: [dep.id] } } }))).toEqual(["deployed"]);
    expect(names(await filter({ flow_runs: { deployment_id: { any_: [dep.id] } } }))).toEqual(["deployed"]);
    expect(names(await filter({ flows: { id: { any_: [flowId] } }, flow_runs: { deployment_id: { is_null_: true } } }))).toEqual(["direct"]);
    expect(names(await filter({ work_pools: { name: { any_: [dep.poolName] } } }))).toEqual(["deployed"]);
    expect(direct.work_pool_name).toBeNull();
  });

  it("filters by the start of the id (the CLI's short ids), in any case", async () => {
    const flowId = await newFlow();
    const byFlow = { flows: { id: { any_: [flowId] } } };
    const base = crypto.randomUUID().slice(0, 8);
    const runs: [string, string][] = [["a", "aaaa-4000-8000-000000000001"], ["b", "aaaa-4000-8000-000000000002"], ["c", "bbbb-4000-8000-000000000003"]];
    for (const [name, rest] of runs) await newFlowRun({ id: `${base}-${rest}`, flow_id: flowId, name });
    const byId = async (id: Record<string, unknown>) => names(await filter({ flow_runs: { id }, sort: "NAME_ASC" }));
    expect(await byId({ startswith_: base })).toEqual(["a", "b", "c"]);
    expect(await byId({ startswith_: `${base}-AAAA` })).toEqual(["a", "b"]);
    expect(await byId({ startswith_: `${base}-aaaa-4000-8000-000000000002` })).toEqual(["b"]);
    expect(names(await filter({ ...byFlow, flow_runs: { id: { startswith_: `${base}-b` } } }))).toEqual(["c"]);
    for (const bad of ["", "zz", "8eab 3003"]) expect((await api("POST", "/flow_runs/filter", { flow_runs: { id: { startswith_: bad } } })).status).toBe(422);
  });

  it("filters by idempotency key: any of some, or all that start with a prefix (one schedule's runs)", async () => {
    const flowId = await newFlow();
    const byFlow = { flows: { id: { any_: [flowId] } } };
    const keys = ["scheduled:d:s1:2030", "scheduled:d:s1:2031", "scheduled:d:s10:2030", "scheduled:d:s1;", "scheduled:d:s2:2030", "日本:🙂:a", "日本:🙂:b", "日本:🙃"];
    for (const [i, key] of keys.entries()) await newFlowRun({ flow_id: flowId, name: `k${i}`, idempotency_key: key, state: scheduled(at(i * 1000)) });
    await newFlowRun({ flow_id: flowId, name: "none", state: scheduled(at(0)) });
    const byKey = async (idempotency_key: Record<string, unknown>) =>
      names(await filter({ ...byFlow, flow_runs: { idempotency_key }, sort: "EXPECTED_START_TIME_ASC" }));
    expect(await byKey({ startswith_: "scheduled:d:s1:" })).toEqual(["k0", "k1"]);
    expect(await byKey({ startswith_: "scheduled:d:s1" })).toEqual(["k0", "k1", "k2", "k3"]);
    expect(await byKey({ startswith_: "日本:🙂:" })).toEqual(["k5", "k6"]);
    expect(await byKey({ startswith_: "日本:" })).toEqual(["k5", "k6", "k7"]);
    expect(await byKey({ any_: ["scheduled:d:s2:2030", "日本:🙃"] })).toEqual(["k4", "k7"]);
    expect(await byKey({ startswith_: "scheduled:d:s1:", any_: ["scheduled:d:s1:2031"] })).toEqual(["k1"]);
    expect((await api("POST", "/flow_runs/filter", { flow_runs: { idempotency_key: { startswith_: "" } } })).status).toBe(422);
  });

  it("finds Late runs by the name shown, and keeps them out of Scheduled", async () => {
    const flowId = await newFlow();
    const byFlow = { flows: { id: { any_: [flowId] } } };
    await newFlowRun({ flow_id: flowId, name: "late", state: scheduled(new Date(Date.now() - 60_000).toISOString()) });
    await newFlowRun({ flow_id: flowId, name: "soon", state: scheduled(new Date(Date.now() + 60_000).toISOString()) });
    const byName = (n: string) => filter({ ...byFlow, flow_runs: { state: { name: { any_: [n] } } } });
    expect(names(await byName("Late"))).toEqual(["late"]);
    expect(names(await byName("Scheduled"))).toEqual(["soon"]);
    expect((await byName("Late"))[0]!.state_name).toBe("Late");
  });

  it("answers 422 for malformed filters", async () => {
    const res = await api("POST", "/flow_runs/filter", { flow_runs: { state: { type: { any_: ["DONE"] } } }, limit: 5000 });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.flow_runs.state.type.any_.0", "body.limit"]);
  });
});

describe("flow run query plans", () => {
  const plan = async (body: Record<string, unknown>) => {
    const query = flowRunFilterQuery(createDb(env.DB), v.parse(FlowRunFilter, body), new Date()).toSQL();
    const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).bind(...query.params).all<{ detail: string }>();
    return rows.results.map((r) => r.detail).join("\n");
  };
  const id = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";

  it("stays under D1's 100 bound parameters with every list of a filter full", async () => {
    const ids = Array.from({ length: 90 }, () => crypto.randomUUID());
    const body = {
      flow_runs: {
        id: { any_: ids },
        name: { any_: ids.map((_, i) => `n${i}`) },
        deployment_id: { any_: ids },
        parent_task_run_id: { any_: ids },
        tags: { all_: ids.slice(0, 50).map((_, i) => `t${i}`) },
        idempotency_key: { any_: ids, startswith_: "scheduled:" },
      },
      flows: { id: { any_: ids }, name: { any_: ids.map((_, i) => `f${i}`) } },
      work_pools: { name: { any_: ids.map((_, i) => `p${i}`) } },
    };
    const query = flowRunFilterQuery(createDb(env.DB), v.parse(FlowRunFilter, body), new Date()).toSQL();
    expect(query.params.length).toBeLessThanOrEqual(100);
    const res = await api("POST", "/flow_runs/filter", body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    const tooMany = await api("POST", "/flow_runs/filter", { flow_runs: { name: { any_: [...ids, "one-more"] } } });
    expect(tooMany.status).toBe(422);
  });

  it("lists newest first straight off flow_runs_expected_start", async () => {
    const p = await plan({});
    expect(p).toMatch(/SCAN flow_runs USING INDEX flow_runs_expected_start/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("lists one flow's runs with flow_runs_flow", async () => {
    const p = await plan({ flows: { id: { any_: [id] } } });
    expect(p).toMatch(/SEARCH flow_runs USING INDEX flow_runs_flow \(flow_id=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("lists one deployment's runs with flow_runs_deployment", async () => {
    const p = await plan({ deployments: { id: { any_: [id] } } });
    expect(p).toMatch(/SEARCH flow_runs USING INDEX flow_runs_deployment \(deployment_id=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("lists one schedule's next runs (baton deployment schedule ls) off an index, without a sort", async () => {
    const p = await plan({
      deployments: { id: { any_: [id] } },
      flow_runs: { state: { type: { any_: ["SCHEDULED"] } }, idempotency_key: { startswith_: `scheduled:${id}:${id}:` } },
      sort: "EXPECTED_START_TIME_ASC",
      limit: 3,
    });
    expect(p).toMatch(/SEARCH flow_runs USING INDEX/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("lists what a pool has scheduled with flow_runs_pool_due", async () => {
    const p = await plan({
      work_pools: { name: { any_: ["p"] } },
      flow_runs: { state: { type: { any_: ["SCHEDULED"] } } },
      sort: "EXPECTED_START_TIME_ASC",
    });
    expect(p).toMatch(/SEARCH flow_runs USING INDEX flow_runs_pool_due \(work_pool_id=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });
});
