import { env } from "cloudflare:test";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { FlowRunCreate } from "../../protocol/flow-runs";
import { TaskRunBulk, TaskRunCreate } from "../../protocol/task-runs";
import { newDeployment, newFlow } from "../test/runs";
import { createDb } from "./client";
import { setFlowRunState } from "./flow-run-state";
import { createFlowRun } from "./flow-runs";
import { applyTaskRunBulk } from "./task-run-bulk";
import { createTaskRuns } from "./task-run-create";
import { setTaskRunState } from "./task-runs";

/*
 * DESIGN.md's write budget, measured with D1's own `meta.rows_written` (each index entry is a row):
 * a task run that succeeds costs at most 2 row writes (3 when it is reported RUNNING first), a flow
 * run at most 10.
 */
const db = createDb(env.DB);
const at = (body: string) => () => body;

async function flowRunWithTask() {
  const flowId = await newFlow("budget");
  const { run } = await createFlowRun(db, { ...v.parse(FlowRunCreate, { flow_id: flowId }) });
  return run.id;
}

describe("row writes", () => {
  it("a flow run of a deployment: SCHEDULED, PENDING, RUNNING, COMPLETED costs at most 10", async () => {
    const flowId = await newFlow("budget");
    const dep = await newDeployment(flowId);
    const input = v.parse(FlowRunCreate, {
      flow_id: flowId,
      deployment_id: dep.id,
      idempotency_key: "budget-slot",
      state: { type: "SCHEDULED", state_details: { scheduled_time: new Date().toISOString() } },
    });
    const created = await createFlowRun(db, { ...input, work_pool_id: dep.poolId });
    let writes = created.rows_written;
    for (const type of ["PENDING", "RUNNING", "COMPLETED"] as const) {
      const step = await setFlowRunState(db, created.run.id, { state: { type, state_details: {} }, force: false });
      expect(step.result.status).toBe("ACCEPT");
      writes += step.rows_written;
    }
    expect(writes).toBeLessThanOrEqual(10);
  });

  it("a task run created RUNNING then COMPLETED costs at most 3", async () => {
    const flowRunId = await flowRunWithTask();
    const input = v.parse(TaskRunCreate, { flow_run_id: flowRunId, name: "t", task_key: "t", state: { type: "RUNNING" } });
    const created = await createTaskRuns(db, [input], at("body"));
    const done = await setTaskRunState(db, created.items[0]!.task_run!.id, { state: { type: "COMPLETED", state_details: {} }, force: false });
    expect(done.result.status).toBe("ACCEPT");
    expect(created.rows_written + done.rows_written).toBeLessThanOrEqual(3);
  });

  it("a task run created COMPLETED costs at most 2, also in bulk", async () => {
    const flowRunId = await flowRunWithTask();
    const one = v.parse(TaskRunCreate, { flow_run_id: flowRunId, name: "t", task_key: "one", state: { type: "COMPLETED" } });
    expect((await createTaskRuns(db, [one], at("body"))).rows_written).toBeLessThanOrEqual(2);
    const many = v.parse(TaskRunBulk, {
      create: Array.from({ length: 200 }, (_, i) => ({ flow_run_id: flowRunId, name: "t", task_key: "many", dynamic_key: String(i), state: { type: "COMPLETED" } })),
    });
    expect((await applyTaskRunBulk(db, many)).rows_written).toBeLessThanOrEqual(400);
  });

  it("a task run created COMPLETED with its start time costs at most 2 as well: the same insert, more columns", async () => {
    const flowRunId = await flowRunWithTask();
    const start_time = new Date(Date.now() - 1_000).toISOString();
    const many = v.parse(TaskRunBulk, {
      create: Array.from({ length: 200 }, (_, i) => ({ flow_run_id: flowRunId, name: "t", task_key: "timed", dynamic_key: String(i), start_time, state: { type: "COMPLETED" } })),
    });
    const applied = await applyTaskRunBulk(db, many);
    expect(applied.create.every((c) => c.status === 201 && c.task_run?.run_count === 1 && c.task_run.start_time === start_time)).toBe(true);
    expect(applied.rows_written).toBeLessThanOrEqual(400);
  });
});
