import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { LogBatch } from "../../../protocol/logs";
import { clientConfig } from "./config";
import { ApiClient } from "./http";
import { LogShipper } from "./log-shipper";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

const RUN = "7f1c1f2e-8a7b-4c3d-9e0f-112233445566";
const line = (message: string) => ({ flow_run_id: RUN, level: 20, message, timestamp: new Date().toISOString() });

/** A real /logs endpoint that fails the first `failFirst` requests with 503 and records the rest. */
async function logServer(failFirst: number) {
  const batches: { id: string; message: string }[][] = [];
  let seen = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (seen++ < failFirst) return res.writeHead(503).end('{"detail":"restarting"}');
      batches.push(JSON.parse(body));
      res.writeHead(201, { "content-type": "application/json" }).end('{"count":1}');
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const client = new ApiClient(clientConfig({ BATON_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` }));
  return { client, batches };
}

describe("LogShipper", () => {
  it("sends lines in batches, and keeps them through server errors until they are taken", async () => {
    const { client, batches } = await logServer(2);
    const errors: unknown[] = [];
    const shipper = new LogShipper(client, (e) => errors.push(e));
    for (let i = 0; i < 1500; i++) shipper.push(line(`line ${i}`));
    await shipper.flush();
    const sent = batches.flat();
    expect(sent.map((l) => l.message)).toEqual(Array.from({ length: 1500 }, (_, i) => `line ${i}`));
    expect(new Set(sent.map((l) => l.id)).size).toBe(1500);
    expect(batches.length).toBeLessThanOrEqual(3);
    expect(errors).toHaveLength(2);
  });

  it("gives lines of one millisecond ids that sort in the order they were logged, across batches", async () => {
    const { client, batches } = await logServer(0);
    const shipper = new LogShipper(client);
    const instant = new Date().toISOString();
    // More than one batch's worth, so the order must also hold between requests.
    for (let i = 0; i < 1200; i++) shipper.push({ ...line(`line ${i}`), timestamp: instant });
    await shipper.flush();
    const sent = batches.flat();
    // Each request is one the server's schema takes (its ids are UUIDs of any version).
    for (const batch of batches) expect(v.safeParse(LogBatch, batch).issues).toBeUndefined();
    // The server's primary key and reads order lines by (timestamp, id); the timestamp ties here.
    const read = [...sent].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(read.map((l) => l.message)).toEqual(Array.from({ length: 1200 }, (_, i) => `line ${i}`));
  });

  it("resends a failed batch with the same ids", async () => {
    const { client, batches } = await logServer(0);
    const shipper = new LogShipper(client);
    shipper.push(line("a"));
    await shipper.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]![0]).toMatchObject({ message: "a", name: "baton", task_run_id: null });
  });

  it("drops a batch the server refuses as invalid instead of retrying it forever", async () => {
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(422, { "content-type": "application/json" }).end('{"detail":"invalid body.0.flow_run_id"}');
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const client = new ApiClient(clientConfig({ BATON_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` }));
    const errors: unknown[] = [];
    const shipper = new LogShipper(client, (e) => errors.push(e));
    shipper.push(line("refused"));
    await shipper.flush();
    expect(shipper.dropped).toBe(1);
    expect(requests).toBe(1);
    expect(String(errors[0])).toMatch(/422: invalid body/);
  });

  it("close gives up after its timeout when the server never answers, and says how many lines were lost", async () => {
    const shipper = new LogShipper(new ApiClient(clientConfig({ BATON_API_URL: "http://127.0.0.1:9/api" })));
    shipper.push(line("lost"));
    expect(await shipper.close(300)).toBe(1);
  });
});
