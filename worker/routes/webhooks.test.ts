import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { sqlFirst, unique } from "../test/runs";

async function createHook(body: Record<string, unknown>) {
  const res = await api("POST", "/webhooks/", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const storedRow = (id: string) => sqlFirst<{ secret: string | null; slug: string; template: string }>("SELECT * FROM webhooks WHERE id = ?", id);
const rowCount = async (name: string) => (await sqlFirst<{ n: number }>("SELECT count(*) AS n FROM webhooks WHERE name = ?", name))!.n;
const post = (slug: string, init: RequestInit = {}) => SELF.fetch(`http://baton.test/hooks/${slug}`, { method: "POST", ...init });

describe("POST /api/webhooks", () => {
  it("creates an open webhook with defaults, a long random slug and its URL path", async () => {
    const name = unique("hook");
    const hook = await createHook({ name });
    expect(hook).toMatchObject({
      name,
      description: null,
      enabled: true,
      auth: "none",
      signature_header: "X-Baton-Signature-256",
      template: { event: "webhook.received", resource: {}, payload: null, id: "{{ headers.x-baton-event-id }}" },
    });
    expect(hook.slug).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hook.url_path).toBe(`/hooks/${hook.slug}`);
    expect(hook).not.toHaveProperty("secret");
    expect((await storedRow(hook.id))!.secret).toBeNull();
  });

  it.each(["hmac", "bearer"])("generates a secret for %s auth and shows it only in the create answer", async (auth) => {
    const hook = await createHook({ name: unique("hook"), auth });
    expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await storedRow(hook.id))!.secret).toBe(hook.secret);
    const read = await api("GET", `/webhooks/${hook.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty("secret");
    expect(JSON.stringify((await api("GET", "/webhooks/")).body)).not.toContain(hook.secret);
  });

  it("keeps a given secret, and gives every webhook its own slug and secret", async () => {
    const given = await createHook({ name: unique("hook"), auth: "hmac", secret: "a-secret-of-my-own-choosing" });
    expect(given.secret).toBe("a-secret-of-my-own-choosing");
    const many = await Promise.all(Array.from({ length: 5 }, () => createHook({ name: unique("hook"), auth: "bearer" })));
    expect(new Set(many.map((h) => h.slug)).size).toBe(5);
    expect(new Set(many.map((h) => h.secret)).size).toBe(5);
  });

  it("answers 409 on a taken name, and one of many parallel creates wins", async () => {
    const name = unique("hook");
    const answers = await Promise.all(Array.from({ length: 4 }, () => api("POST", "/webhooks/", { name })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    expect(answers.find((a) => a.status === 409)!.body.detail).toBe(`webhook "${name}" already exists`);
    expect(await rowCount(name)).toBe(1);
  });

  it.each([
    [{ template: { event: "{{ bodyy.kind }}" } }, "body.template.event", /must start with body or headers/],
    [{ template: { resource: { "baton.resource.id": "x.{{ body..a }}" } } }, "body.template.resource.baton.resource.id", /is not a path/],
    [{ template: { payload: { items: ["{{ body.a }}", "{{ env.SECRET }}"] } } }, "body.template.payload.items[1]", /must start with/],
    [{ template: { id: "{{ nowhere }}" } }, "body.template.id", /must start with/],
  ])("answers 422 naming the bad template path for %j, and stores nothing", async (fields, path, message) => {
    const name = unique("bad");
    const res = await api("POST", "/webhooks/", { name, ...fields });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe(path);
    expect(res.body.errors[0].message).toMatch(message);
    expect(res.body.detail).toContain(path);
    expect(await rowCount(name)).toBe(0);
  });

  it.each([
    [{ name: "a/b" }, "body.name"],
    [{ auth: "basic" }, "body.auth"],
    [{ auth: "hmac", secret: "short" }, "body.secret"],
    [{ secret: "long-enough-secret-value" }, "body.secret"],
    [{ signature_header: "X Bad Header" }, "body.signature_header"],
    [{ template: { payload: ["not", "an", "object"] } }, "body.template.payload"],
    [{ template: { event: "" } }, "body.template.event"],
  ])("answers 422 for %j and stores nothing", async (fields, path) => {
    const name = unique("bad");
    const res = await api("POST", "/webhooks/", { name, ...fields });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await rowCount(name)).toBe(0);
  });
});

describe("GET /api/webhooks", () => {
  it("lists webhooks by name, finds one by id and by name, and answers 404 naming what is missing", async () => {
    const b = await createHook({ name: unique("list-b") });
    const a = await createHook({ name: unique("list-a"), auth: "hmac" });
    const list = (await api("GET", "/webhooks")).body as { id: string; name: string }[];
    const ours = list.filter((h) => h.id === a.id || h.id === b.id).map((h) => h.name);
    expect(ours).toEqual([a.name, b.name].sort());
    const { secret: _, ...aPublic } = a;
    expect((await api("GET", `/webhooks/${a.id}`)).body).toEqual(aPublic);
    expect((await api("GET", `/webhooks/name/${encodeURIComponent(a.name)}`)).body).toEqual(aPublic);
    const missing = crypto.randomUUID();
    expect(await api("GET", `/webhooks/${missing}`)).toMatchObject({ status: 404, body: { detail: `webhook "${missing}" not found` } });
    expect((await api("GET", "/webhooks/name/nope")).status).toBe(404);
    expect((await api("GET", "/webhooks/not-a-uuid")).status).toBe(422);
  });
});

describe("PATCH /api/webhooks/{id}", () => {
  it("changes only the fields sent and answers the webhook", async () => {
    const hook = await createHook({ name: unique("patch"), description: "before", template: { event: "a.b" } });
    const res = await api("PATCH", `/webhooks/${hook.id}`, { description: "after", enabled: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: hook.name, description: "after", enabled: false, slug: hook.slug, template: { event: "a.b" } });
    expect(Date.parse(res.body.updated)).toBeGreaterThanOrEqual(Date.parse(hook.updated));
  });

  it("replaces the template as a whole, after checking it", async () => {
    const hook = await createHook({ name: unique("patch"), template: { event: "a.b", resource: { x: "1" } } });
    const bad = await api("PATCH", `/webhooks/${hook.id}`, { template: { event: "{{ oops }}" } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("body.template.event");
    expect(JSON.parse((await storedRow(hook.id))!.template)).toMatchObject({ event: "a.b", resource: { x: "1" } });
    const good = await api("PATCH", `/webhooks/${hook.id}`, { template: { event: "c.{{ body.kind }}" } });
    expect(good.body.template).toEqual({ event: "c.{{ body.kind }}", resource: {}, payload: null, id: "{{ headers.x-baton-event-id }}" });
  });

  it("gives a webhook a secret when auth is turned on (shown in that answer), and forgets it when turned off", async () => {
    const hook = await createHook({ name: unique("patch") });
    const on = await api("PATCH", `/webhooks/${hook.id}`, { auth: "hmac" });
    expect(on.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const toBearer = await api("PATCH", `/webhooks/${hook.id}`, { auth: "bearer" });
    expect(toBearer.body).not.toHaveProperty("secret");
    expect((await storedRow(hook.id))!.secret).toBe(on.body.secret);
    const off = await api("PATCH", `/webhooks/${hook.id}`, { auth: "none" });
    expect(off.body.auth).toBe("none");
    expect((await storedRow(hook.id))!.secret).toBeNull();
  });

  it("answers 409 when renamed to a taken name, 404 for no webhook, 422 for a secret", async () => {
    const [a, b] = [await createHook({ name: unique("patch") }), await createHook({ name: unique("patch") })];
    expect(await api("PATCH", `/webhooks/${b.id}`, { name: a.name })).toMatchObject({ status: 409, body: { detail: `webhook "${a.name}" already exists` } });
    expect((await api("GET", `/webhooks/${b.id}`)).body.name).toBe(b.name);
    expect((await api("PATCH", `/webhooks/${crypto.randomUUID()}`, { enabled: false })).status).toBe(404);
    expect((await api("PATCH", `/webhooks/${b.id}`, { enabled: "no" })).status).toBe(422);
    // The secret is never set by PATCH (rotate makes one): an unknown key changes nothing.
    await api("PATCH", `/webhooks/${b.id}`, { secret: "sneaky-secret-value-here" });
    expect((await storedRow(b.id))!.secret).toBeNull();
  });
});

describe("POST /api/webhooks/{id}/rotate", () => {
  it("gives a new slug and a new secret: the old URL answers 404, the new one works", async () => {
    const hook = await createHook({ name: unique("rotate"), auth: "bearer" });
    const rotated = await api("POST", `/webhooks/${hook.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.slug).not.toBe(hook.slug);
    expect(rotated.body.url_path).toBe(`/hooks/${rotated.body.slug}`);
    expect(rotated.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    const withNew = { headers: { authorization: `Bearer ${rotated.body.secret}`, "content-type": "text/plain" }, body: "hi" };
    expect((await post(hook.slug, withNew)).status).toBe(404);
    expect((await post(rotated.body.slug, withNew)).status).toBe(202);
    const withOld = { headers: { authorization: `Bearer ${hook.secret}`, "content-type": "text/plain" }, body: "hi" };
    expect((await post(rotated.body.slug, withOld)).status).toBe(401);
  });

  it("rotates only what is asked", async () => {
    const hook = await createHook({ name: unique("rotate"), auth: "hmac" });
    const secretOnly = await api("POST", `/webhooks/${hook.id}/rotate`, { slug: false });
    expect(secretOnly.body.slug).toBe(hook.slug);
    expect(secretOnly.body.secret).not.toBe(hook.secret);
    const slugOnly = await api("POST", `/webhooks/${hook.id}/rotate`, { secret: false });
    expect(slugOnly.body.slug).not.toBe(hook.slug);
    expect(slugOnly.body).not.toHaveProperty("secret");
    expect((await storedRow(hook.id))!.secret).toBe(secretOnly.body.secret);
    expect((await api("POST", `/webhooks/${hook.id}/rotate`, { slug: false, secret: false })).status).toBe(422);
  });

  it("gives an open webhook only a new slug, and answers 404 for no webhook", async () => {
    const hook = await createHook({ name: unique("rotate") });
    const rotated = await api("POST", `/webhooks/${hook.id}/rotate`, {});
    expect(rotated.body.slug).not.toBe(hook.slug);
    expect(rotated.body).not.toHaveProperty("secret");
    expect((await api("POST", `/webhooks/${crypto.randomUUID()}/rotate`)).status).toBe(404);
  });
});

describe("DELETE /api/webhooks/{id}", () => {
  it("deletes the webhook: its URL answers 404; a second delete answers 404", async () => {
    const hook = await createHook({ name: unique("delete") });
    expect((await post(hook.slug, { body: "x", headers: { "content-type": "text/plain" } })).status).toBe(202);
    expect((await api("DELETE", `/webhooks/${hook.id}`)).status).toBe(204);
    expect((await post(hook.slug, { body: "x", headers: { "content-type": "text/plain" } })).status).toBe(404);
    expect((await api("DELETE", `/webhooks/${hook.id}`)).status).toBe(404);
    expect(await rowCount(hook.name)).toBe(0);
  });
});
