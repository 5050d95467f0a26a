import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, EventPage } from "../../protocol/events";
import type { FlowRun } from "../../protocol/flow-runs";
import type { Webhook } from "../../protocol/webhooks";
import { RecordedRuns } from "../../sdk/src/runtime/test-fixtures/recorded-runs";
import { baton, batonStarted, repoRoot, startTestServer, type TestServer } from "../../sdk/src/testing/cli";
import { until } from "../../sdk/src/testing/wait";

/*
 * Events, webhooks and triggers end to end: one real local server, a real `baton worker start`, flows
 * deployed with `baton deploy --trigger`, real HTTP requests to /hooks, a real `baton watch` on real files.
 */

const POOL = "events-pool";
const SLOW = 60_000;

let server: TestServer;
let api: RecordedRuns;
let worker: ReturnType<typeof batonStarted>;
let watched: string;
const deployments: Record<string, string> = {};

const cli = (...args: string[]) => baton(args, { apiUrl: server.apiUrl });

async function deploy(name: string, trigger: Record<string, unknown>): Promise<string> {
  const ran = await cli("deploy", "test/events/fixtures/flows.ts:echoFlow", "--name", name, "--pool", POOL, "--create-pool", "--trigger", JSON.stringify(trigger), "--json");
  expect(ran.code, ran.stderr).toBe(0);
  return (JSON.parse(ran.stdout) as { id: string }).id;
}

/** The first run of a deployment that has ended. */
function endedRun(deploymentId: string): Promise<FlowRun> {
  return until(
    `a finished run of deployment ${deploymentId}`,
    async () => {
      const runs = await server.client.post<FlowRun[]>("/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } } });
      return runs.find((r) => r.end_time);
    },
    SLOW,
  );
}

const events = (filter: Record<string, unknown>) => server.client.post<EventPage>("/events/filter", filter).then((p) => p.events);

beforeAll(async () => {
  server = await startTestServer();
  api = new RecordedRuns(server.apiUrl);
  watched = await mkdtemp(join(tmpdir(), "baton-watched-"));
  deployments.webhook = await deploy("on-order", {
    expect: ["shop.order.*"],
    parameters: { value: "{{ event.payload.order_id }}" },
  });
  deployments.file = await deploy("on-file", {
    expect: ["file.created"],
    match: { "baton.resource.id": `file.${watched}/*` },
    parameters: { value: "{{ event.payload.path }}" },
  });
  worker = batonStarted(["worker", "start", "--pool", POOL], { apiUrl: server.apiUrl });
  await until("the worker online", async () => worker.stdout().includes("is taking runs"), SLOW);
});

afterAll(async () => {
  worker?.child.kill("SIGTERM");
  await worker?.result;
  await server?.stop();
  if (watched) await rm(watched, { recursive: true, force: true });
});

describe("a webhook starts a deployment's run", () => {
  it("signed request → event from the template → triggered run completed by the worker with the templated parameter", async () => {
    const secret = "s3cret-s3cret-s3cret";
    const webhook = await server.client.post<Webhook>("/webhooks", {
      name: "shop",
      auth: "hmac",
      secret,
      template: {
        event: "shop.order.{{ body.action }}",
        resource: { "baton.resource.id": "shop.order.{{ body.order.id }}" },
        payload: { order_id: "{{ body.order.id }}", customer: "{{ body.order.customer }}" },
      },
    });
    const body = JSON.stringify({ action: "paid", order: { id: 1001, customer: "Ada" } });
    const hook = `${server.apiUrl.replace(/\/api$/, "")}${webhook.url_path}`;
    const post = (signature: string) =>
      fetch(hook, { method: "POST", headers: { "content-type": "application/json", [webhook.signature_header]: signature }, body });

    const refused = await post("sha256=" + "0".repeat(64));
    expect(refused.status).toBe(401);

    const accepted = await post("sha256=" + createHmac("sha256", secret).update(body).digest("hex"));
    expect(accepted.status).toBe(202);
    const { event_id } = (await accepted.json()) as { event_id: string };

    const [stored] = await events({ event: { name: ["shop.order.paid"] } });
    expect(stored).toMatchObject({ id: event_id, resource: { "baton.resource.id": "shop.order.1001" }, payload: { order_id: 1001, customer: "Ada" } });

    const run = await endedRun(deployments.webhook!);
    expect(run.state_type).toBe("COMPLETED");
    // A whole `{{ … }}` keeps the value's type: the order id stays a number through both templates.
    expect(run.parameters).toEqual({ value: 1001 });
    expect((await api.logs(run.id)).map((l) => l.message)).toContain("value=1001");
    // The refused request stored nothing.
    expect(await events({ event: { prefix: ["shop.order."] } })).toHaveLength(1);
  });
});

describe("baton watch starts a deployment's run", () => {
  it("a file created in the watched folder → file.created → run completed with the file's path", async () => {
    const watching = batonStarted(["watch", watched, "--debounce", "100"], { apiUrl: server.apiUrl });
    try {
      await until("watching", async () => watching.stdout().includes("Watching"), SLOW);
      const path = join(watched, "invoice-7.csv");
      await writeFile(path, "id,total\n7,99.50\n");
      await until("the event line", async () => /file\.created {2}invoice-7\.csv/.test(watching.stdout()), SLOW);
      const run = await endedRun(deployments.file!);
      expect(run.state_type).toBe("COMPLETED");
      expect(run.parameters).toEqual({ value: path });
      expect((await api.logs(run.id)).map((l) => l.message)).toContain(`value=${JSON.stringify(path)}`);
    } finally {
      watching.child.kill("SIGINT");
    }
    const ended = await watching.result;
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toContain("Stopped watching");
  });
});

describe("baton event", () => {
  it("emit stores an event that ls finds by name prefix and resource; mistakes are usage errors", async () => {
    const emitted = await cli("event", "emit", "test.cli.done", "--resource", "test.cli.job-7", "--resource", "team=data", "--payload", '{"rows": 120}', "--json");
    expect(emitted.code, emitted.stderr).toBe(0);
    const { id } = JSON.parse(emitted.stdout) as { id: string };
    const listed = await cli("event", "ls", "--name", "test.cli.", "--resource", "test.cli.*", "--since", "10m", "--json");
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id, event: "test.cli.done", resource: { "baton.resource.id": "test.cli.job-7", team: "data" }, payload: { rows: 120 } }),
    ]);
    const table = await cli("event", "ls", "--name", "test.cli.");
    expect(table.stdout).toMatch(/test\.cli\.done\s+test\.cli\.job-7\s+\{"rows":120\}/);

    const bad = await cli("event", "emit", "has space");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("must not contain spaces");
  });
});

describe("emitEvent", () => {
  it("events emitted by a flow run as a script (flow, task, and after the run) are stored with their run related", async () => {
    const tag = `t${Date.now()}`;
    const { BATON_API_KEY, BATON_HOME, BATON_WORKER_CHILD, ...inherited } = process.env;
    const child = spawn(process.execPath, [join(repoRoot, "node_modules/.bin/tsx"), "test/events/fixtures/emitter.ts"], {
      cwd: repoRoot,
      env: { ...inherited, NO_COLOR: "1", BATON_API_URL: server.apiUrl, EVENT_TAG: tag },
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c));
    child.stderr.on("data", (c: Buffer) => (output += c));
    expect(await new Promise((r) => child.on("close", r)), output).toBe(0);

    const run = await api.onlyRun("event-emitter");
    expect(run.state_type).toBe("COMPLETED");
    const [task] = await api.taskRuns(run.id);
    const found = await events({ event: { prefix: ["test."] } });
    const byName = (name: string) => found.find((e) => e.event === name) as Event;

    expect(byName("test.orders.started")).toMatchObject({
      resource: { "baton.resource.id": `baton.flow-run.${run.id}`, "baton.resource.name": run.name },
      related: [],
      payload: { tag },
    });
    expect(byName("test.order.shipped")).toMatchObject({
      resource: { "baton.resource.id": "shop.order.42", "baton.resource.name": "Order 42" },
      related: [
        { "baton.resource.id": `baton.flow-run.${run.id}`, "baton.resource.role": "flow-run" },
        { "baton.resource.id": `baton.task-run.${task!.id}`, "baton.resource.role": "task-run" },
      ],
    });
    const outside = byName("test.script.done");
    expect(output).toContain(`outside ${outside.id}`);
    expect(outside.resource["baton.resource.id"]).toBe(`test.script.${tag}`);

    // Found by the run they relate to; sent before the run's final state was.
    const related = await events({ related: { id: [`baton.flow-run.${run.id}`] } });
    expect(related.map((e) => e.event)).toContain("test.order.shipped");
    const completed = (await api.flowRunStates(run.id)).find((s) => s.type === "COMPLETED")!;
    expect(Date.parse(byName("test.order.shipped").received)).toBeLessThanOrEqual(Date.parse(completed.timestamp));
  });
});
