import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newDeployment, newFlow, sqlFirst } from "../test/runs";
import { connectWorker } from "../test/sockets";

describe("push dispatch over the worker socket", () => {
  it("offers a deployment's new run to a connected worker, which acks and reports it to Completed", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId, { entrypoint: "flows/hello.ts:helloFlow", path: "/src" });
    const w = await connectWorker(dep.poolName);
    const created = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { name: "Ada" } });
    expect(created.status).toBe(201);
    const offer = await w.next("offer");
    expect(offer.flow_run.id).toBe(created.body.id);
    expect(offer.flow_run.state_type).toBe("PENDING");
    expect(offer.deployment).toMatchObject({ id: dep.id, entrypoint: "flows/hello.ts:helloFlow", path: "/src" });
    expect(offer.flow_run.parameters).toEqual({ name: "Ada" });
    const row = await sqlFirst<{ worker_id: string; lease_token: string }>("SELECT worker_id, lease_token FROM flow_runs WHERE id = ?", offer.flow_run.id);
    expect(row).toEqual({ worker_id: w.worker_id, lease_token: offer.lease_token });

    w.send({ type: "ack", run_id: offer.flow_run.id, lease_token: offer.lease_token });
    w.send({ type: "state", request_id: "r1", run_id: offer.flow_run.id, lease_token: offer.lease_token, state: { type: "RUNNING" } });
    const running = await w.next("state_result");
    expect(running).toMatchObject({ request_id: "r1", result: { status: "ACCEPT", state: { type: "RUNNING" } } });
    w.send({ type: "state", request_id: "r2", run_id: offer.flow_run.id, lease_token: offer.lease_token, state: { type: "COMPLETED" } });
    expect((await w.next("state_result")).result.status).toBe("ACCEPT");
    const after = await api("GET", `/flow_runs/${offer.flow_run.id}`);
    expect(after.body.state_type).toBe("COMPLETED");
    w.close();
  });
});
