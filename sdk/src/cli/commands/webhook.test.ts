import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventPage } from "../../../../protocol/events";
import type { Webhook } from "../../../../protocol/webhooks";
import { baton, startTestServer, type TestServer } from "../../testing/cli";
import { exampleRequest } from "./webhook";

let server: TestServer;
const cli = (...args: string[]) => baton(args, { apiUrl: server.apiUrl });
const origin = () => server.apiUrl.replace(/\/api$/, "");
const hookByName = (name: string) => server.client.get<Webhook>(`/webhooks/name/${name}`);
const eventsAbout = (w: Webhook) => server.client.post<EventPage>("/events/filter", { resource: { id: [`baton.webhook.${w.id}`] } });

/** The lines printed under "Try it:", run as a shell script: what a user would paste. */
async function runExample(stdout: string, env: Record<string, string> = {}): Promise<string> {
  const script = stdout.split(/Try it.*:\n/)[1]!.split("\n").filter((l) => l.startsWith("  ")).map((l) => l.trim()).join("\n");
  const { stdout: answer } = await promisify(execFile)("bash", ["-ec", script.replace(/^curl /m, "curl -sS ")], { env: { ...process.env, ...env } });
  return answer;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("exampleRequest", () => {
  it("carries every value the event name and resource id templates read, and nothing else", () => {
    const template = {
      event: "shop.{{ body.order.kind }}.{{ headers.x-shop-event }}",
      resource: { "baton.resource.id": 'shop.{{ body.items[1]["sku.id"] }}.{{ query.env }}', other: "{{ body.ignored }}" },
      payload: { x: "{{ body.nope }}" },
    };
    expect(exampleRequest({ template } as never)).toEqual({
      body: { hello: "world", order: { kind: "example" }, items: [null, { "sku.id": "example" }] },
      headers: [["x-shop-event", "example"]],
      query: [["env", "example"]],
    });
    expect(exampleRequest({ template: {} } as never)).toEqual({ body: { hello: "world" }, headers: [], query: [] });
  });
});

describe("baton webhook create", () => {
  it("creates an HMAC webhook, prints its URL and secret once, and a signed curl example that works", async () => {
    const created = await cli("webhook", "create", "github", "--auth", "hmac", "--event", "github.{{ headers.x-github-event }}");
    expect(created.code, created.stderr).toBe(0);
    const hook = await hookByName("github");
    expect(created.stdout).toContain("✔ Created webhook github");
    expect(created.stdout).toMatch(new RegExp(`URL\\s+${origin()}/hooks/${hook.slug}\\n`));
    expect(created.stdout).toMatch(/Auth\s+hmac \(X-Baton-Signature-256\)/);
    const secret = /Secret\s+([A-Za-z0-9_-]{43})\n/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(created.stderr).toContain("The secret is shown only now");
    expect(created.stdout).toContain("openssl dgst -sha256 -hmac");

    const answer = await runExample(created.stdout);
    expect(JSON.parse(answer)).toMatchObject({ event_id: expect.any(String) });
    const { events } = await eventsAbout(hook);
    // The example sends the header the event name reads: without it the server refuses (422), rather than store "github.".
    expect(events.map((e) => [e.id, e.event, e.payload])).toEqual([[JSON.parse(answer).event_id, "github.example", { body: { hello: "world" } }]]);
    // The secret is never shown again.
    expect((await cli("webhook", "inspect", "github")).stdout).not.toContain(secret);
    expect((await cli("webhook", "ls", "--json")).stdout).not.toContain(secret);
  });

  it("creates a bearer webhook whose curl example carries the secret", async () => {
    const created = await cli("webhook", "create", "bearer-hook", "--auth", "bearer", "--secret", "my-own-bearer-secret-123");
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Secret\s+my-own-bearer-secret-123/);
    expect(JSON.parse(await runExample(created.stdout)).event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("creates an open webhook with a template, and answers --json with the full URL", async () => {
    const created = await cli(
      "webhook", "create", "templated", "--json", "--description", "from the CI",
      "--resource", "baton.resource.id=ci.{{ body.repo }}", "--resource", "branch={{ body.branch }}",
      "--payload", '{"sha": "{{ body.sha }}"}', "--delivery-id", "{{ headers.x-delivery }}",
    );
    expect(created.code, created.stderr).toBe(0);
    const json = JSON.parse(created.stdout) as Webhook & { url: string };
    expect(json).toMatchObject({ name: "templated", auth: "none", description: "from the CI", url: `${origin()}/hooks/${json.slug}` });
    expect(json.template).toEqual({
      event: "webhook.received",
      resource: { "baton.resource.id": "ci.{{ body.repo }}", branch: "{{ body.branch }}" },
      payload: { sha: "{{ body.sha }}" },
      id: "{{ headers.x-delivery }}",
    });
    expect(json).not.toHaveProperty("secret");
    const res = await fetch(json.url, { method: "POST", body: JSON.stringify({ repo: "acme", branch: "main", sha: "abc" }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(202);
  });

  it("refuses a taken name, a bad template (naming its path) and bad flags", async () => {
    const again = await cli("webhook", "create", "github");
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("✖ Webhook github already exists. [E_WEBHOOK_EXISTS]\n");
    const badTemplate = await cli("webhook", "create", "bad", "--event", "{{ secrets.x }}");
    expect(badTemplate.code).toBe(1);
    expect(badTemplate.stderr).toContain("invalid body.template.event");
    expect(badTemplate.stderr).toContain("[E_HTTP_422]");
    for (const [args, message] of [
      [["--auth", "basic"], "--auth expects none, hmac or bearer"],
      [["--secret", "a-long-enough-secret"], "--secret needs --auth hmac or --auth bearer"],
      [["--resource", "no-equals"], "--resource expects key=value"],
      [["--payload", "[1]"], "--payload expects a JSON object"],
      [["--payload", "{nope"], "--payload expects a JSON object"],
    ] as const) {
      const result = await cli("webhook", "create", "bad", ...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
    await expect(hookByName("bad")).rejects.toMatchObject({ status: 404 });
  });
});

describe("baton webhook ls, inspect, enable, disable", () => {
  it("lists webhooks in a table and as JSON", async () => {
    const table = await cli("webhook", "ls");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+URL\s+AUTH\s+STATUS\s+EVENT\n/);
    const github = await hookByName("github");
    expect(table.stdout).toMatch(new RegExp(`github\\s+${origin()}/hooks/${github.slug}\\s+hmac \\(X-Baton-Signature-256\\)\\s+enabled\\s+github\\.\\{\\{ headers\\.x-github-event \\}\\}`));
    const json = JSON.parse((await cli("webhook", "ls", "--json")).stdout) as (Webhook & { url: string })[];
    expect(json.map((w) => w.name)).toEqual(["bearer-hook", "github", "templated"]);
    expect(json.every((w) => w.url === `${origin()}${w.url_path}`)).toBe(true);
  });

  it("inspects by name or id, and says in one line when there is no such webhook", async () => {
    const github = await hookByName("github");
    const text = await cli("webhook", "inspect", "github");
    expect(text.stdout).toMatch(new RegExp(`Id\\s+${github.id}`));
    expect(text.stdout).toMatch(/Status\s+enabled/);
    const byId = JSON.parse((await cli("webhook", "inspect", github.id, "--json")).stdout) as Webhook;
    expect(byId).toEqual({ ...github, url: `${origin()}${github.url_path}` });
    const missing = await cli("webhook", "inspect", "nowhere");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("✖ Webhook nowhere not found. [E_WEBHOOK_NOT_FOUND]\n  `npx baton webhook ls` lists the webhooks.\n");
  });

  it("disables a webhook (its URL answers 404) and enables it again", async () => {
    const hook = await hookByName("templated");
    // Its template's baton.resource.id reads body.repo: a request without it would be refused (422).
    const post = () => fetch(`${origin()}${hook.url_path}`, { method: "POST", body: '{"repo": "acme/app"}', headers: { "content-type": "application/json" } });
    expect((await cli("webhook", "disable", "templated")).stdout).toBe("✔ Disabled webhook templated\n");
    expect((await post()).status).toBe(404);
    expect((await cli("webhook", "ls")).stdout).toMatch(/templated\s+\S+\s+none\s+disabled/);
    expect((await cli("webhook", "enable", "templated")).stdout).toBe("✔ Enabled webhook templated\n");
    expect((await post()).status).toBe(202);
  });
});

describe("baton webhook rotate and delete", () => {
  it("rotates URL and secret: the old URL answers 404, the printed example works", async () => {
    const before = await hookByName("github");
    const rotated = await cli("webhook", "rotate", "github");
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain("✔ Rotated webhook github: new URL and new secret");
    const after = await hookByName("github");
    expect(after.slug).not.toBe(before.slug);
    expect((await fetch(`${origin()}${before.url_path}`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(404);
    expect(JSON.parse(await runExample(rotated.stdout)).event_id).toBeDefined();

    // Rotating only the URL shows no secret: the example reads it from $SECRET.
    const secret = /Secret\s+(\S+)\n/.exec(rotated.stdout)![1]!;
    const urlOnly = await cli("webhook", "rotate", "github", "--keep-secret");
    expect(urlOnly.stdout).toContain("✔ Rotated webhook github: new URL\n");
    expect(urlOnly.stdout).not.toContain(secret);
    expect(urlOnly.stdout).toContain("Try it (with the webhook's secret in SECRET):");
    expect(JSON.parse(await runExample(urlOnly.stdout, { SECRET: secret })).event_id).toBeDefined();
  });

  it("rotates only the secret with --keep-url, and refuses that for a webhook without one", async () => {
    const before = await hookByName("bearer-hook");
    const rotated = await cli("webhook", "rotate", "bearer-hook", "--keep-url", "--json");
    const json = JSON.parse(rotated.stdout) as Webhook;
    expect(json.slug).toBe(before.slug);
    expect(json.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(json.secret).not.toBe("my-own-bearer-secret-123");
    const open = await cli("webhook", "rotate", "templated", "--keep-url");
    expect(open.code).toBe(1);
    expect(open.stderr.split("\n")[0]).toBe("✖ Webhook templated has no secret to rotate. [E_NO_SECRET]");
    expect((await cli("webhook", "rotate", "github", "--keep-url", "--keep-secret")).code).toBe(2);
  });

  it("deletes a webhook", async () => {
    const hook = await hookByName("bearer-hook");
    expect((await cli("webhook", "delete", "bearer-hook")).stdout).toBe("✔ Deleted webhook bearer-hook\n");
    await expect(hookByName("bearer-hook")).rejects.toMatchObject({ status: 404 });
    expect((await fetch(`${origin()}${hook.url_path}`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await cli("webhook", "delete", "bearer-hook")).code).toBe(1);
  });
});
