import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  createRun,
  eventually,
  fireAlarm,
  graceOver,
  heldRun,
  knownWorker,
  poolSql,
  poolStub,
  report,
  restReport,
  runOf,
  startRun,
  takeRun,
} from "../test/pool";
import { newDeployment, newFlow } from "../test/runs";
import { connectWorker } from "../test/sockets";

const pool = async () => newDeployment(await newFlow());

const marked = new WeakSet<object>();

/** Tears the object down; its sockets hibernate and must wake with it, attachments and storage intact. */
async function evict(poolId: string): Promise<void> {
  await runInDurableObject(poolStub(poolId), (instance: object) => void marked.add(instance));
  await evictDurableObject(poolStub(poolId));
  // The next call meets a new instance: nothing in memory survived.
  expect(await runInDurableObject(poolStub(poolId), (instance: object) => marked.has(instance))).toBe(false);
}

describe("a pool object evicted while workers are connected", () => {
  it("wakes with its sockets: the worker still gets offers and its ack and state reports are handled", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { capacity: 2 });
    await evict(dep.poolId);

    const runId = await createRun(dep.id);
    const offer = await w.next("offer");
    expect(offer.flow_run.id).toBe(runId);
    await evict(dep.poolId);

    const lease = { run_id: runId, lease_token: offer.lease_token };
    w.send({ type: "ack", ...lease });
    await eventually(async () => expect((await heldRun(dep.poolId, runId))?.phase).toBe("acked"));
    await evict(dep.poolId);
    expect(await report(w, lease, "RUNNING")).toMatchObject({ type: "state_result", result: { status: "ACCEPT" } });
    await evict(dep.poolId);
    expect(await report(w, lease, "COMPLETED")).toMatchObject({ type: "state_result", result: { status: "ACCEPT" } });
    expect((await runOf(runId)).state_type).toBe("COMPLETED");
    expect(w.closed).toBeNull();
    w.close();
  });

  it("handles heartbeats after waking: last_beat moves and a raised capacity brings the next offer", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { capacity: 1 });
    const first = await createRun(dep.id);
    await startRun(w, first);
    const second = await createRun(dep.id);
    const before = (await knownWorker(dep.poolId, w.worker_id))!.last_beat;
    await evict(dep.poolId);

    w.send({ type: "heartbeat", capacity: 2 });
    expect((await w.next("offer")).flow_run.id).toBe(second);
    const after = (await knownWorker(dep.poolId, w.worker_id))!;
    expect(after.capacity).toBe(2);
    expect(after.last_beat).toBeGreaterThanOrEqual(before);
    w.close();
  });

  it("still knows who holds what: a socket closed after eviction is given its grace, then its run is crashed", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "sleeper" });
    const runId = await createRun(dep.id);
    const lease = await startRun(w, runId);
    await evict(dep.poolId);

    w.close();
    await eventually(async () => expect((await knownWorker(dep.poolId, w.worker_id))?.lost_at).toBeTypeOf("number"));
    await evict(dep.poolId);
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("RUNNING");
    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("CRASHED");
    expect((await restReport(lease, "COMPLETED")).status).toBe(409);
  });

  it("keeps an unacknowledged offer's deadline: after eviction the alarm still takes it back", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName);
    const runId = await createRun(dep.id);
    await w.next("offer");
    await evict(dep.poolId);

    await poolSql(dep.poolId, "UPDATE held SET deadline = 1 WHERE run_id = ?", runId);
    await fireAlarm(dep.poolId);
    expect(await w.next("revoke")).toMatchObject({ run_id: runId });
    // Back in the pool, the same worker (the only one) is offered it again and can take it.
    await takeRun(w, runId);
    await eventually(async () => expect((await heldRun(dep.poolId, runId))?.phase).toBe("acked"));
    w.close();
  });
});
