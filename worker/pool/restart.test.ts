import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { eventually, fireAlarm, graceOver, greet, knownWorker, poolSql, poolStub } from "../test/pool";
import { newDeployment, newFlow } from "../test/runs";
import { connectWorker } from "../test/sockets";

/** A worker running one run of a new deployment, reported RUNNING over the socket. */
async function workerWithRunningRun() {
  const dep = await newDeployment(await newFlow());
  const w = await connectWorker(dep.poolName, { name: `restart-${crypto.randomUUID().slice(0, 6)}` });
  const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
  const offer = await w.next("offer");
  const lease = { run_id: run.id, lease_token: offer.lease_token };
  w.send({ type: "ack", ...lease });
  w.send({ type: "state", request_id: "running", ...lease, state: { type: "RUNNING" } });
  expect((await w.next("state_result")).result.status).toBe("ACCEPT");
  return { dep, w, run, lease };
}

describe("a server restart", () => {
  it("gives workers the reconnect grace from the restart, however long ago their last beat was", async () => {
    const { dep, w, run, lease } = await workerWithRunningRun();
    // The server was down for a long time: the worker's last beat is far in the past.
    await poolSql(dep.poolId, "UPDATE workers SET last_beat = 1 WHERE worker_id = ?", w.worker_id);
    await evictDurableObject(poolStub(dep.poolId), { webSockets: "close" });
    const known = await knownWorker(dep.poolId, w.worker_id);
    expect(known!.lost_at).toBeGreaterThan(Date.now() - 60_000);
    await fireAlarm(dep.poolId);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state_type).toBe("RUNNING");

    const { w: again, welcome } = await greet(dep.poolName, { name: known!.name, runs: [lease] });
    expect(welcome.runs_kept).toEqual([run.id]);
    again.send({ type: "state", request_id: "done", ...lease, state: { type: "COMPLETED" } });
    expect((await again.next("state_result")).result.status).toBe("ACCEPT");
    again.close();
  });

  it("crashes the runs of a worker that does not come back after the restart", async () => {
    const { dep, w, run } = await workerWithRunningRun();
    await evictDurableObject(poolStub(dep.poolId), { webSockets: "close" });
    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    await eventually(async () => expect((await api("GET", `/flow_runs/${run.id}`)).body.state_type).toBe("CRASHED"));
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state.message).toMatch(/disconnected and did not reconnect/);
  });
});
