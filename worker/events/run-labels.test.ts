import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newDeployment, newFlow, newFlowRun, unique } from "../test/runs";
import { LABELS_TTL_MS, runLabels } from "./run-labels";

describe("run labels for events", () => {
  it("reads a run's flow, deployment, pool and tags, and a task run's and a pool's names", async () => {
    const flowId = await newFlow("labelled");
    const dep = await newDeployment(flowId);
    const run = await newFlowRun({ flow_id: flowId, deployment_id: dep.id, tags: ["x"] });
    const taskId = crypto.randomUUID();
    expect((await api("POST", "/task_runs/", { id: taskId, flow_run_id: run.id, name: "load-1", task_key: "load", dynamic_key: "1" })).status).toBe(201);
    const gone = crypto.randomUUID();
    const labels = await runLabels(env.DB, { flowRuns: [run.id, gone], taskRuns: [taskId], pools: [dep.poolId] });
    expect(labels.flowRuns.get(run.id)).toEqual({
      name: run.name,
      flow_id: flowId,
      flow_name: (await api("GET", `/flows/${flowId}`)).body.name,
      deployment_id: dep.id,
      deployment_name: expect.any(String),
      work_pool_id: dep.poolId,
      work_pool_name: dep.poolName,
      tags: ["x"],
    });
    expect(labels.flowRuns.has(gone)).toBe(false);
    expect(labels.taskRuns.get(taskId)).toEqual({ name: "load-1" });
    expect(labels.pools.get(dep.poolId)).toBe(dep.poolName);
  });

  it("remembers labels for a short while: a rename shows once the entry expired", async () => {
    const run = await newFlowRun();
    const now = Date.now();
    expect((await runLabels(env.DB, { flowRuns: [run.id], taskRuns: [], pools: [] }, now)).flowRuns.get(run.id)?.name).toBe(run.name);
    const renamed = unique("renamed");
    expect((await api("PATCH", `/flow_runs/${run.id}`, { name: renamed })).status).toBe(204);
    expect((await runLabels(env.DB, { flowRuns: [run.id], taskRuns: [], pools: [] }, now + 1)).flowRuns.get(run.id)?.name).toBe(run.name);
    expect((await runLabels(env.DB, { flowRuns: [run.id], taskRuns: [], pools: [] }, now + LABELS_TTL_MS)).flowRuns.get(run.id)?.name).toBe(renamed);
  });
});
