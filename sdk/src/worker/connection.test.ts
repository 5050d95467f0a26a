import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { PoolMessageOf } from "../../../protocol/worker-socket";
import { ApiClient } from "../client/http";
import { PoolConnection, type ConnectionEvents } from "./connection";
import { LocalServer } from "./test-fixtures/local-server";

const KEY = "connection-test-key";

/** A connection whose events land in lists, with promises for the next of each. */
function connectionTo(client: ApiClient, pool: string, held: { run_id: string; lease_token: string }[] = []) {
  const offers: PoolMessageOf<"offer">[] = [];
  const welcomes: PoolMessageOf<"welcome">[] = [];
  const fatal: Error[] = [];
  const retrying: string[] = [];
  const events: ConnectionEvents = {
    offer: (m) => void offers.push(m),
    cancel: () => {},
    revoke: () => {},
    welcome: (m) => void welcomes.push(m),
    disconnected: () => {},
    retrying: (reason) => void retrying.push(reason),
    fatal: (e) => void fatal.push(e),
  };
  const connection = new PoolConnection({ client, pool, name: `${pool}-worker`, heldRuns: () => held, capacity: () => 1, events });
  connection.connect();
  return { connection, offers, welcomes, fatal, retrying, held };
}

async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the pool connection, against a server that requires a key", () => {
  let server: LocalServer;
  let client: ApiClient;
  let deploymentId: string;

  beforeAll(async () => {
    server = await LocalServer.start(KEY);
    client = new ApiClient({ apiUrl: server.apiUrl, apiKey: KEY, configured: true });
    await client.post("/work_pools/", { name: "conn-pool" });
    const flow = await client.post<{ id: string }>("/flows/", { name: "conn-flow" });
    deploymentId = (await client.post<{ id: string }>("/deployments/", { name: "d", flow_id: flow.id, work_pool_name: "conn-pool" })).id;
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it("gives up with the server's reason when the key is missing", async () => {
    const { connection, fatal } = connectionTo(new ApiClient({ apiUrl: server.apiUrl, apiKey: undefined, configured: true }), "conn-pool");
    const error = await until("the connection to give up", () => fatal[0]);
    expect(error.message).toBe(`The Baton server at ${server.apiUrl} refused the request: no API key. Set BATON_API_KEY to a key of this server.`);
    expect(connection.connected).toBe(false);
  });

  it("gives up at the server's root (no /api), saying where the API is", async () => {
    const root = server.apiUrl.replace(/\/api$/, "");
    const { connection, fatal, retrying } = connectionTo(new ApiClient({ apiUrl: root, apiKey: KEY, configured: true }), "conn-pool");
    const error = await until("the connection to give up", () => fatal[0], 15_000);
    expect(error.message).toBe(`No Baton API at ${root} — did you mean ${server.apiUrl}? Set BATON_API_URL=${server.apiUrl}.`);
    expect(retrying).toEqual([]);
    expect(connection.connected).toBe(false);
  });

  it("keeps trying while no server answers, saying why", async () => {
    const { connection, fatal, retrying } = connectionTo(new ApiClient({ apiUrl: "http://127.0.0.1:9/api", apiKey: KEY, configured: true }), "conn-pool");
    await until("two attempts", () => retrying.length >= 2, 15_000);
    expect(retrying[0]).toContain("cannot reach the Baton server at http://127.0.0.1:9/api");
    expect(fatal).toEqual([]);
    connection.close();
  });

  it("gives up when the pool does not exist", async () => {
    const { fatal } = connectionTo(client, "no-such-pool");
    expect((await until("the connection to give up", () => fatal[0])).message).toContain("no-such-pool");
  });

  it("connects with a ticket, and holds a report made while the server is away until it is back", async () => {
    const first = connectionTo(client, "conn-pool");
    await until("welcome", () => first.welcomes[0]);
    const run = await client.post<FlowRun>(`/deployments/${deploymentId}/create_flow_run`, {});
    const offer = await until("the offer", () => first.offers.find((o) => o.flow_run.id === run.id));
    first.connection.ack(run.id, offer.lease_token);
    first.held.push({ run_id: run.id, lease_token: offer.lease_token });

    await server.stop();
    const answer = first.connection.report(run.id, offer.lease_token, { type: "RUNNING", state_details: {} });
    expect(first.connection.unanswered).toBe(1);
    await server.restart();

    expect(await answer).toMatchObject({ status: "ACCEPT", state: { type: "RUNNING" } });
    expect(first.welcomes.at(-1)).toMatchObject({ runs_kept: [run.id], runs_lost: [] });
    expect((await client.get<FlowRun>(`/flow_runs/${run.id}`)).state_type).toBe("RUNNING");

    const stale = await first.connection.report(run.id, "not-the-lease", { type: "COMPLETED", state_details: {} });
    expect(stale.status).toBe("LEASE_LOST");
    first.connection.close();
  }, 120_000);
});
