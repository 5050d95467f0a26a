import { afterEach, describe, expect, it } from "vitest";
import { recordingServer, type RecordingServer } from "../testing/recording-server";
import { until } from "../testing/wait";
import { BatchShipper, type ShipperOptions } from "./shipper";

let server: RecordingServer | undefined;
afterEach(() => server?.close());

type Item = { id: number; text: string };
const shipper = (s: RecordingServer, options: Partial<ShipperOptions<Item, Item>> = {}) =>
  new BatchShipper<Item, Item>(s.client, { path: "/items", prepare: (i) => i, maxBatch: 10, flushEveryMs: 20, ...options });
const items = (n: number, text = "x") => Array.from({ length: n }, (_, id) => ({ id, text }));

describe("BatchShipper", () => {
  it("cuts batches by count and by bytes, keeping the order", async () => {
    server = await recordingServer();
    const s = shipper(server, { maxBatchBytes: 250, sizeOf: (i) => i.text.length });
    for (const item of items(25, "a".repeat(100))) s.push(item);
    await s.flush();
    const batches = server.bodies.get("/api/items") as Item[][];
    // 100 bytes each: two fit under 250, a third would not.
    expect(batches.map((b) => b.length)).toEqual(Array(13).fill(2).map((n, i) => (i === 12 ? 1 : n)));
    expect(server.items<Item>("/api/items").map((i) => i.id)).toEqual(items(25).map((i) => i.id));
  });

  it("sends an item larger than the byte budget alone rather than never", async () => {
    server = await recordingServer();
    const s = shipper(server, { maxBatchBytes: 10, sizeOf: (i) => i.text.length });
    s.push({ id: 1, text: "a".repeat(50) });
    s.push({ id: 2, text: "b" });
    await s.flush();
    expect((server.bodies.get("/api/items") as Item[][]).map((b) => b.map((i) => i.id))).toEqual([[1], [2]]);
  });

  it("keeps items through a refused connection and says when they went through after failures", async () => {
    server = await recordingServer();
    await server.down();
    const errors: unknown[] = [];
    const sent: number[] = [];
    const s = shipper(server, { onError: (e) => errors.push(e), onSent: (_b, failures) => sent.push(failures) });
    for (const item of items(3)) s.push(item);
    await until("a failed attempt", async () => errors.length > 0);
    expect(s.failing).toBe(true);
    expect(s.pending).toBe(3);
    await server.up();
    await s.flush();
    expect(server.items("/api/items")).toHaveLength(3);
    expect(sent[0]).toBeGreaterThan(0);
    expect(s.failing).toBe(false);
  });

  it("refuses items past maxQueue and counts them", async () => {
    server = await recordingServer();
    await server.down();
    const drops: string[] = [];
    const s = shipper(server, { maxQueue: 5, onDrop: (n, reason) => drops.push(`${n} ${reason}`) });
    const accepted = items(8).map((i) => s.push(i));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(s.dropped).toBe(3);
    expect(drops).toEqual(["1 full", "1 full", "1 full"]);
    await server.up();
    await s.flush();
    expect(server.items<Item>("/api/items").map((i) => i.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it("drops a batch the server refuses as invalid (4xx) and goes on with the next", async () => {
    server = await recordingServer();
    server.answer(422, { detail: "invalid" });
    const drops: string[] = [];
    const s = shipper(server, { maxBatch: 2, onDrop: (n, reason) => drops.push(`${n} ${reason}`) });
    for (const item of items(3)) s.push(item);
    await s.flush();
    expect(drops).toEqual(["2 invalid", "1 invalid"]);
    expect(server.requests).toBe(2);
  });

  it("close gives up after its timeout, stops retrying and answers what was lost", async () => {
    server = await recordingServer();
    await server.down();
    const s = shipper(server);
    for (const item of items(4)) s.push(item);
    expect(await s.close(300)).toBe(4);
    const requests = server.requests;
    await server.up();
    await new Promise((r) => setTimeout(r, 600));
    expect(server.requests).toBe(requests);
    expect(s.push({ id: 9, text: "late" })).toBe(false);
  });
});
