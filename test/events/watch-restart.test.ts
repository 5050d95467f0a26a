import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { EventPage } from "../../protocol/events";
import { batonStarted, startTestServer, type TestServer } from "../../sdk/src/testing/cli";
import { freePort } from "../../sdk/src/testing/free-port";
import { until } from "../../sdk/src/testing/wait";

/*
 * `baton watch` while its server restarts (stopped, then started again on the same BATON_HOME and port):
 * the changes made meanwhile are kept, sent once the server is back, and stored once each.
 */

const SLOW = 90_000;
let server: TestServer | undefined;
const cleanup: string[] = [];
afterAll(async () => {
  await server?.stop();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

it("keeps the events of changes made while the server is away and delivers them when it is back", async () => {
  const home = await mkdtemp(join(tmpdir(), "baton-restart-home-"));
  const dir = await mkdtemp(join(tmpdir(), "baton-restart-watched-"));
  cleanup.push(home, dir);
  const port = await freePort();
  server = await startTestServer({ home, port });
  const apiUrl = server.apiUrl;
  const stored = async () =>
    (await server!.client.post<EventPage>("/events/filter", { event: { prefix: ["file.created"] }, limit: 50 })).events.map((e) => e.payload.relative_path).sort();

  const watching = batonStarted(["watch", dir, "--debounce", "100"], { apiUrl });
  let stderr = "";
  watching.child.stderr!.on("data", (c: Buffer) => (stderr += c));
  try {
    await until("watching", async () => watching.stdout().includes("Watching"), SLOW);
    await writeFile(join(dir, "before.txt"), "1");
    await until("before.txt stored", async () => (await stored()).includes("before.txt"), SLOW);

    await server.stop();
    server = undefined;
    await writeFile(join(dir, "during-1.txt"), "2");
    await writeFile(join(dir, "during-2.txt"), "3");
    await until("the outage noticed", async () => stderr.includes("Cannot reach the server"), SLOW);

    server = await startTestServer({ home, port });
    await until("the waiting events sent", async () => /during-1\.txt[\s\S]*during-2\.txt|during-2\.txt[\s\S]*during-1\.txt/.test(watching.stdout()), SLOW);
    expect(await stored()).toEqual(["before.txt", "during-1.txt", "during-2.txt"]);
    expect(watching.stdout()).toContain("The server is back");
  } finally {
    watching.child.kill("SIGINT");
  }
  const ended = await watching.result;
  expect(ended.code, ended.stderr).toBe(0);
  expect(ended.stdout).toContain("(3 events sent)");
}, 300_000);
