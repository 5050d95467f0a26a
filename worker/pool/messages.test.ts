import { describe, expect, it } from "vitest";
import { MAX_WORKER_MESSAGE_BYTES, type PoolMessageOf } from "../../protocol/worker-socket";
import { createRun, report, runOf, startRun } from "../test/pool";
import { newDeployment, newFlow } from "../test/runs";
import { connectWorker, openSocket, type TestWorker } from "../test/sockets";

const pool = async () => newDeployment(await newFlow());
const hello = (name: string) => ({ type: "hello", protocol: 1, name, capacity: 1 });

/** Sends something and answers the error it earns; the socket must stay open. */
async function refused(w: TestWorker, message: unknown, code: PoolMessageOf<"error">["code"]): Promise<PoolMessageOf<"error">> {
  if (message instanceof Uint8Array) w.ws.send(message);
  else w.send(message);
  const error = await w.next("error", 2000);
  expect(error.code).toBe(code);
  expect(error.message).not.toBe("");
  expect(w.closed).toBeNull();
  return error;
}

describe("malformed and out-of-order messages on the worker socket", () => {
  it("are answered with an error with a code before hello, and the socket can still say hello", async () => {
    const dep = await pool();
    const w = await openSocket(dep.poolName);
    await refused(w, "not json {", "bad_message");
    await refused(w, new Uint8Array([1, 2, 3]), "bad_message");
    await refused(w, "x".repeat(MAX_WORKER_MESSAGE_BYTES + 1), "bad_message");
    await refused(w, { type: "dance" }, "bad_message");
    await refused(w, [1, 2], "bad_message");
    await refused(w, { type: "hello", protocol: 1, capacity: 1 }, "bad_message");
    expect((await refused(w, { type: "hello", protocol: 2, name: "w", capacity: 1 }, "bad_message")).message).toMatch(/protocol 1/);
    await refused(w, { type: "heartbeat" }, "hello_required");
    await refused(w, { type: "ack", run_id: crypto.randomUUID(), lease_token: "t" }, "hello_required");

    w.send(hello("late-greeter"));
    expect((await w.next("welcome")).type).toBe("welcome");
    w.close();
  });

  it("are answered with an error after hello, and change nothing", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { capacity: 2 });
    const runId = await createRun(dep.id);
    const lease = await startRun(w, runId);

    await refused(w, hello("again"), "already_hello");
    await refused(w, { type: "ack", run_id: runId }, "bad_message");
    await refused(w, { type: "state", request_id: "r", run_id: runId, lease_token: lease.lease_token, state: { type: "EXPLODED" } }, "bad_message");
    await refused(w, { type: "heartbeat", capacity: -1 }, "bad_message");
    const stranger = crypto.randomUUID();
    expect(await refused(w, { type: "ack", run_id: stranger, lease_token: "t" }, "lease_lost")).toMatchObject({ run_id: stranger });
    expect(await w.next("revoke")).toMatchObject({ run_id: stranger });
    await refused(w, { type: "release", run_id: stranger, lease_token: "t" }, "lease_lost");
    await refused(w, { type: "ack", run_id: runId, lease_token: "not-the-lease" }, "lease_lost");
    expect(await report(w, { run_id: runId, lease_token: "not-the-lease" }, "COMPLETED")).toMatchObject({ type: "error", code: "lease_lost" });

    const run = await runOf(runId);
    expect(run.state_type).toBe("RUNNING");
    expect(w.closed).toBeNull();
    w.close();
  });

  it("never disturb another worker on the same pool", async () => {
    const dep = await pool();
    const noisy = await connectWorker(dep.poolName, { capacity: 0 });
    const good = await connectWorker(dep.poolName);
    for (const junk of ["{", "null", '{"type":"state"}', JSON.stringify(hello("x"))]) noisy.send(junk);
    for (let i = 0; i < 4; i++) await noisy.next("error");

    const runId = await createRun(dep.id);
    const lease = await startRun(good, runId);
    noisy.send({ type: "state", request_id: "steal", ...lease, state: { type: "FAILED" } });
    expect(await noisy.next("error")).toMatchObject({ code: "lease_lost", request_id: "steal" });
    expect(await report(good, lease, "COMPLETED")).toMatchObject({ type: "state_result", result: { status: "ACCEPT" } });
    expect((await runOf(runId)).state_type).toBe("COMPLETED");
    expect(noisy.closed).toBeNull();
    expect(good.closed).toBeNull();
    noisy.close();
    good.close();
  });
});
