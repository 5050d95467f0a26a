import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { OutgoingEvent } from "../client/event-shipper";
import { recordingServer, type RecordingServer } from "../testing/recording-server";
import { until } from "../testing/wait";
import { watch, type Watcher, type WatchNotice } from "./watcher";

let server: RecordingServer | undefined;
let watcher: Watcher | undefined;
let dir: string | undefined;
afterEach(async () => {
  await watcher?.close(1000);
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  watcher = server = dir = undefined;
});

const sent = () => server!.items<OutgoingEvent>("/api/events");
const seen = (name: string, relative: string) => sent().find((e) => e.event === name && e.payload.relative_path === relative);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(options: Parameters<typeof watch>[1] = {}) {
  server = await recordingServer();
  dir = await mkdtemp(join(tmpdir(), "baton-watch-"));
  await writeFile(join(dir, "there-before.txt"), "old");
  const notices: WatchNotice[] = [];
  watcher = await watch(dir, { client: server.client, debounceMs: 100, onNotice: (n) => notices.push(n), ...options });
  return { dir, notices };
}

describe("watch", () => {
  it("emits created, changed and deleted for files at any depth, not for those already there", async () => {
    const { dir } = await start();
    await mkdir(join(dir, "a/b"), { recursive: true });
    await writeFile(join(dir, "a/b/new.csv"), "1,2\n");
    const created = await until("file.created", async () => seen("file.created", "a/b/new.csv"));
    expect(created.resource).toEqual({ "baton.resource.id": `file.${join(dir, "a/b/new.csv")}`, "baton.resource.name": "new.csv" });
    expect(created.payload).toMatchObject({ path: join(dir, "a/b/new.csv"), size: 4, change: "created" });
    expect(Date.parse(created.payload.modified as string)).not.toBeNaN();
    expect(created.related).toEqual([expect.objectContaining({ "baton.resource.role": "host" })]);

    await appendFile(join(dir, "a/b/new.csv"), "3,4\n");
    expect((await until("file.changed", async () => seen("file.changed", "a/b/new.csv")))!.payload.size).toBe(8);
    await rm(join(dir, "a/b/new.csv"));
    expect((await until("file.deleted", async () => seen("file.deleted", "a/b/new.csv")))!.payload).toMatchObject({ size: null, modified: null });
    expect(sent().some((e) => String(e.payload.relative_path) === "there-before.txt")).toBe(false);
  });

  it("reports a file written in several steps once, when it has been quiet", async () => {
    const { dir } = await start({ debounceMs: 300 });
    const path = join(dir, "big.log");
    for (let i = 0; i < 5; i++) {
      await appendFile(path, `part ${i}\n`);
      await pause(50);
    }
    await until("file.created", async () => seen("file.created", "big.log"));
    await pause(500);
    expect(sent().filter((e) => e.payload.relative_path === "big.log")).toHaveLength(1);
    expect(seen("file.created", "big.log")!.payload.size).toBe(35);
  });

  it("reports an editor's save (temporary file renamed over the original) as one change, and nothing of the temporary file", async () => {
    const { dir } = await start();
    await writeFile(join(dir, ".there-before.txt.swp"), "new content");
    await rename(join(dir, ".there-before.txt.swp"), join(dir, "there-before.txt"));
    await until("file.changed", async () => seen("file.changed", "there-before.txt"));
    await pause(400);
    expect(sent().map((e) => `${e.event} ${String(e.payload.relative_path)}`)).toEqual(["file.changed there-before.txt"]);
  });

  it("takes only files matching the pattern (a name pattern matches at any depth), with the given name prefix", async () => {
    const { dir } = await start({ pattern: "*.csv", event: "invoices" });
    await mkdir(join(dir, "2026"));
    await writeFile(join(dir, "2026/march.csv"), "x");
    await writeFile(join(dir, "2026/notes.txt"), "x");
    await writeFile(join(dir, "top.csv"), "x");
    await until("both csv files", async () => seen("invoices.created", "2026/march.csv") && seen("invoices.created", "top.csv"));
    await pause(300);
    expect(sent().map((e) => e.event)).toEqual(["invoices.created", "invoices.created"]);
  });

  it("reports each known file of a folder that is removed, and a file moved in as created", async () => {
    const { dir } = await start();
    await mkdir(join(dir, "batch"));
    await writeFile(join(dir, "batch/1.txt"), "1");
    await writeFile(join(dir, "batch/2.txt"), "2");
    await until("created", async () => seen("file.created", "batch/1.txt") && seen("file.created", "batch/2.txt"));
    await rm(join(dir, "batch"), { recursive: true });
    await until("deleted", async () => seen("file.deleted", "batch/1.txt") && seen("file.deleted", "batch/2.txt"));
    const outside = await mkdtemp(join(tmpdir(), "baton-watch-outside-"));
    await writeFile(join(outside, "moved.txt"), "m");
    await rename(join(outside, "moved.txt"), join(dir, "moved.txt"));
    await until("moved in", async () => seen("file.created", "moved.txt"));
    await rm(outside, { recursive: true, force: true });
  });

  it("reports every file written into folders the moment they appear (chokidar alone misses some)", async () => {
    const { dir } = await start();
    const expected: string[] = [];
    for (let i = 0; i < 100; i++) {
      await mkdir(join(dir, `d${i}`));
      for (const name of ["a.txt", "b.txt"]) {
        await writeFile(join(dir, `d${i}`, name), "x");
        expected.push(`d${i}/${name}`);
      }
    }
    const reported = () => new Set(sent().filter((e) => e.event === "file.created").map((e) => String(e.payload.relative_path)));
    await until("every file", async () => expected.every((path) => reported().has(path)));
    await pause(300);
    expect(sent()).toHaveLength(expected.length);
  });

  it("keeps events while the server is away and sends them, in order, when it is back", async () => {
    const { dir, notices } = await start();
    await server!.down();
    for (const name of ["one", "two", "three"]) {
      await writeFile(join(dir, `${name}.txt`), name);
      await pause(150);
    }
    await until("the outage noticed", async () => notices.some((n) => n.type === "unreachable"));
    expect(watcher!.waiting).toBeGreaterThan(0);
    await server!.up();
    await until("all three", async () => sent().length === 3, 15_000);
    expect(sent().map((e) => e.payload.relative_path)).toEqual(["one.txt", "two.txt", "three.txt"]);
    expect(notices.map((n) => n.type)).toEqual(["unreachable", "resumed"]);
  });

  it("says when it drops events because too many wait", async () => {
    const { dir, notices } = await start({ maxWaiting: 2 });
    await server!.down();
    for (let i = 0; i < 5; i++) await writeFile(join(dir, `f${i}.txt`), "x");
    await until("drops and the outage", async () => notices.some((n) => n.type === "dropped") && notices.some((n) => n.type === "unreachable"));
    await server!.up();
    await until("resumed", async () => notices.some((n) => n.type === "resumed"), 15_000);
    expect(notices.find((n) => n.type === "resumed")).toMatchObject({ dropped: 3 });
    expect(sent()).toHaveLength(2);
  });

  it("on close reports what changed meanwhile and sends it; the signal closes it too", async () => {
    const controller = new AbortController();
    const { dir } = await start({ debounceMs: 60_000, signal: controller.signal });
    await writeFile(join(dir, "late.txt"), "x");
    await until("noticed", async () => watcher!.waiting > 0);
    controller.abort();
    expect(await watcher!.closed).toBe(0);
    expect(seen("file.created", "late.txt")).toBeTruthy();
  });

  it("says so when a path is too long to name its resource, and goes on with the next changes", async () => {
    const { dir, notices } = await start();
    const deep = join(dir, ...Array.from({ length: 5 }, (_, i) => `${i}`.repeat(220)));
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, "far.txt"), "x");
    await until("the error", async () => notices.some((n) => n.type === "error" && /baton.resource.id/.test(String(n.error))));
    await writeFile(join(dir, "near.txt"), "x");
    await until("the next change", async () => seen("file.created", "near.txt"));
  });

  it("refuses a folder that does not exist and a prefix that cannot name events", async () => {
    await expect(watch("/nonexistent/baton-watch")).rejects.toThrow(/is not a folder/);
    await expect(watch(tmpdir(), { event: "bad name" })).rejects.toThrow(/must not contain spaces/);
  });
});
