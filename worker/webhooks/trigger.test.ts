import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { makeFlow, makePool, unique } from "../routes/deployment-fixtures";
import { app } from "../app";
import { api } from "../test/http";
import { connectWorker } from "../test/sockets";
import { signHex } from "./secrets";

/*
 * A webhook starting a deployment's run through a trigger, all in real workerd: the request, the
 * stored event, the trigger engine object, the run and the pool's offer to a connected worker.
 */

async function runsOf(deploymentId: string): Promise<any[]> {
  const res = await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } }, sort: "EXPECTED_START_TIME_ASC" });
  expect(res.status).toBe(200);
  return res.body;
}

/** A GitHub-style webhook and a deployment whose trigger follows it (by the webhook as related resource). */
async function githubSetup() {
  const hook = (await api("POST", "/webhooks/", {
    name: unique("github"),
    auth: "hmac",
    signature_header: "X-Hub-Signature-256",
    template: { event: "github.{{ headers.x-github-event }}", payload: { ref: "{{ body.ref }}", repo: "{{ body.repository.full_name }}" }, id: "{{ headers.x-github-delivery }}" },
  })).body;
  const pool = await makePool();
  const flow = await makeFlow();
  const trigger = { expect: ["github.push"], match_related: { "baton.resource.id": `baton.webhook.${hook.id}` }, parameters: { ref: "{{ event.payload.ref }}" } };
  const dep = await api("POST", "/deployments/", { name: unique("on-push"), flow_id: flow.id, work_pool_name: pool, parameters: { ref: "main", dry: true }, triggers: [trigger] });
  expect(dep.status, JSON.stringify(dep.body)).toBe(201);
  return { hook, pool, deployment: dep.body };
}

/**
 * A request through the Worker's own fetch, waiting for what it handed on after answering (the trigger
 * engine's evaluation): so a run that was not created will never be, and absence can be asserted.
 */
async function deliver(slug: string, body: string, headers: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://baton.test/hooks/${slug}`, { method: "POST", body, headers }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function push(hook: { slug: string; secret: string }, delivery: string, ref: string, event = "push") {
  const body = JSON.stringify({ ref, repository: { full_name: "acme/app" } });
  const signature = `sha256=${await signHex(hook.secret, body)}`;
  const res = await deliver(hook.slug, body, { "content-type": "application/json", "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": signature });
  expect(res.status).toBe(202);
  return ((await res.json()) as { event_id: string }).event_id;
}

describe("a webhook starting a deployment", () => {
  it("creates a run with the parameter templated from the request, offered to a connected worker", async () => {
    const { hook, pool, deployment } = await githubSetup();
    const worker = await connectWorker(pool);
    const eventId = await push(hook, crypto.randomUUID(), "refs/heads/feature-x");
    const runs = await runsOf(deployment.id);
    expect(runs).toHaveLength(1);
    expect(runs[0].parameters).toEqual({ ref: "refs/heads/feature-x", dry: true });
    expect(runs[0].idempotency_key).toMatch(new RegExp(`^trigger:[0-9a-f-]{36}:${eventId}$`));
    expect((await worker.next("offer")).flow_run.id).toBe(runs[0].id);
    worker.close();
  });

  it("starts one run for a delivery sent twice (same X-GitHub-Delivery), another for a new delivery", async () => {
    const { hook, deployment } = await githubSetup();
    const delivery = crypto.randomUUID();
    const first = await push(hook, delivery, "refs/heads/a");
    expect(await push(hook, delivery, "refs/heads/a")).toBe(first);
    expect(await runsOf(deployment.id)).toHaveLength(1);
    await push(hook, crypto.randomUUID(), "refs/heads/b");
    expect((await runsOf(deployment.id)).map((r) => r.parameters.ref).sort()).toEqual(["refs/heads/a", "refs/heads/b"]);
  });

  it("starts nothing for an event the trigger does not expect, or a request refused", async () => {
    const { hook, deployment } = await githubSetup();
    await push(hook, crypto.randomUUID(), "refs/heads/x", "issues");
    const unsigned = await deliver(hook.slug, "{}", { "content-type": "application/json", "x-github-event": "push" });
    expect(unsigned.status).toBe(401);
    expect(await runsOf(deployment.id)).toEqual([]);
  });
});
