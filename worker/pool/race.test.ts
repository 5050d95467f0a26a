import { describe, expect, it } from "vitest";
import type { PoolMessageOf } from "../../protocol/worker-socket";
import { api } from "../test/http";
import { newDeployment, newFlow } from "../test/runs";
import { connectWorker, type TestWorker } from "../test/sockets";

/** A worker that runs whatever it is offered at once: ack, RUNNING, COMPLETED, all over the socket. */
function runEverything(w: TestWorker, seen: Map<string, string[]>, name: string): void {
  let n = 0;
  w.ws.addEventListener("message", (e) => {
    const msg = JSON.parse(e.data as string) as PoolMessageOf<"offer">;
    if (msg.type !== "offer") return;
    const id = msg.flow_run.id;
    seen.set(id, [...(seen.get(id) ?? []), name]);
    const lease = { run_id: id, lease_token: msg.lease_token };
    w.send({ type: "ack", ...lease });
    w.send({ type: "state", request_id: `${name}-${n++}`, ...lease, state: { type: "RUNNING" } });
    w.send({ type: "state", request_id: `${name}-${n++}`, ...lease, state: { type: "COMPLETED" } });
  });
}

async function countByState(deploymentId: string): Promise<Record<string, number>> {
  const res = await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } }, limit: 200 });
  const counts: Record<string, number> = {};
  let offset = 0;
  for (let page = res.body; page.length; ) {
    for (const r of page) counts[r.state_type] = (counts[r.state_type] ?? 0) + 1;
    offset += page.length;
    page = (await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } }, limit: 200, offset })).body;
  }
  return counts;
}

describe("racing workers", () => {
  it("8 sockets and 2 long-polling workers share 500 runs: each run is handed out exactly once, none is lost", { timeout: 120_000 }, async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const seen = new Map<string, string[]>();
    const sockets = await Promise.all(Array.from({ length: 8 }, (_, i) => connectWorker(dep.poolName, { name: `racer-${i}`, capacity: 4 })));
    sockets.forEach((w, i) => runEverything(w, seen, `racer-${i}`));

    let stop = false;
    const poller = async (name: string) => {
      while (!stop) {
        const res = await api("POST", `/work_pools/${dep.poolName}/get_scheduled_flow_runs`, { worker_name: name, limit: 3, wait_seconds: 0.2 });
        expect(res.status).toBe(200);
        for (const item of res.body) {
          const id = item.flow_run.id;
          seen.set(id, [...(seen.get(id) ?? []), name]);
          const details = { lease_token: item.lease_token };
          await api("POST", `/flow_runs/${id}/set_state`, { state: { type: "RUNNING", state_details: details } });
          await api("POST", `/flow_runs/${id}/set_state`, { state: { type: "COMPLETED", state_details: details } });
        }
      }
    };
    const pollers = [poller("poller-a"), poller("poller-b")];

    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const created = await Promise.all(Array.from({ length: 50 }, () => api("POST", `/deployments/${dep.id}/create_flow_run`, {})));
      for (const c of created) {
        expect(c.status).toBe(201);
        ids.push(c.body.id);
      }
    }
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (await countByState(dep.id)).COMPLETED !== 500) await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(pollers);

    expect(await countByState(dep.id)).toEqual({ COMPLETED: 500 });
    expect(new Set(ids).size).toBe(500);
    const twice = [...seen].filter(([, holders]) => holders.length !== 1);
    expect(twice).toEqual([]);
    expect(seen.size).toBe(500);
    const byHolder = new Map<string, number>();
    for (const [, [holder]] of seen) byHolder.set(holder!, (byHolder.get(holder!) ?? 0) + 1);
    // Every socket worker got work: the pool spreads runs instead of feeding one worker.
    for (let i = 0; i < 8; i++) expect(byHolder.get(`racer-${i}`) ?? 0).toBeGreaterThan(0);
    for (const w of sockets) w.close();
  });
});
