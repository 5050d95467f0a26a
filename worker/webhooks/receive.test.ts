import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_WEBHOOK_BODY_BYTES } from "../../protocol/webhooks";
import { api } from "../test/http";
import { sqlFirst, unique } from "../test/runs";
import { signHex } from "./secrets";

type Hook = { id: string; name: string; slug: string; secret?: string; signature_header: string };
type StoredEvent = { id: string; event: string; resource: Record<string, string>; related: Record<string, string>[]; payload: Record<string, unknown> };

async function createHook(body: Record<string, unknown> = {}): Promise<Hook> {
  const res = await api("POST", "/webhooks/", { name: unique("hook"), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A request to the webhook's URL as another system sends it. */
async function deliver(slug: string, body: BodyInit | null, headers: Record<string, string> = {}, query = "") {
  const res = await SELF.fetch(`http://baton.test/hooks/${slug}${query}`, { method: "POST", body, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const json = { "content-type": "application/json" };
const signed = async (hook: Hook, body: string, extra: Record<string, string> = {}) =>
  deliver(hook.slug, body, { ...json, [hook.signature_header]: `sha256=${await signHex(hook.secret!, body)}`, ...extra });

async function storedEvent(id: string): Promise<StoredEvent> {
  const row = await sqlFirst<Record<string, string>>("SELECT * FROM events WHERE id = ?", id);
  expect(row, `event ${id} stored`).toBeTruthy();
  return { id: row!.id!, event: row!.event!, resource: JSON.parse(row!.resource!), related: JSON.parse(row!.related!), payload: JSON.parse(row!.payload!) };
}

/** Every event that came through the webhook (each names it as a related resource). */
const eventsOf = async (hook: Hook) =>
  (await sqlFirst<{ n: number }>("SELECT count(*) AS n FROM events WHERE instr(related, ?) > 0", `baton.webhook.${hook.id}`))!.n;

describe("POST /hooks/{slug} of an open webhook", () => {
  it("stores the default event: webhook.received about the webhook, the whole body as payload", async () => {
    const hook = await createHook();
    const res = await deliver(hook.slug, JSON.stringify({ hello: "world", n: [1, 2] }), json);
    expect(res.status).toBe(202);
    expect(res.body.event_id).toMatch(/^[0-9a-f-]{36}$/);
    const self = { "baton.resource.id": `baton.webhook.${hook.id}`, "baton.resource.name": hook.name };
    expect(await storedEvent(res.body.event_id)).toEqual({
      id: res.body.event_id,
      event: "webhook.received",
      resource: self,
      related: [{ ...self, "baton.resource.role": "webhook" }],
      payload: { body: { hello: "world", n: [1, 2] } },
    });
  });

  it("accepts a form (repeated keys kept in order) and plain text, and a bare ping", async () => {
    const hook = await createHook();
    const form = await deliver(hook.slug, "a=1&a=2&b=x+y&c=%C3%A9", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" });
    expect(form.status).toBe(202);
    expect((await storedEvent(form.body.event_id)).payload).toEqual({ body: { a: ["1", "2"], b: "x y", c: "é" } });
    const text = await deliver(hook.slug, "line one\nline two", { "content-type": "text/plain" });
    expect((await storedEvent(text.body.event_id)).payload).toEqual({ body: "line one\nline two" });
    const csv = await deliver(hook.slug, "a,b\n1,2", { "content-type": "text/csv" });
    expect((await storedEvent(csv.body.event_id)).payload).toEqual({ body: "a,b\n1,2" });
    const ping = await deliver(hook.slug, null);
    expect((await storedEvent(ping.body.event_id)).payload).toEqual({ body: null });
  });

  it("fills the template from the body, headers, query, method and webhook", async () => {
    const hook = await createHook({
      template: {
        event: "github.{{ headers.x-github-event }}",
        resource: { "baton.resource.id": "github.repo.{{ body.repository.full_name }}", stars: "{{ body.repository.stars }}", env: "{{ query.env }}" },
        payload: { ref: "{{ body.ref }}", commits: "{{ body.commits }}", first: "{{ body.commits[0].id }}", how: "{{ method }} via {{ webhook.name }}" },
      },
    });
    const body = { ref: "refs/heads/main", repository: { full_name: "acme/app", stars: 7 }, commits: [{ id: "abc" }, { id: "def" }] };
    const res = await deliver(hook.slug, JSON.stringify(body), { ...json, "X-GitHub-Event": "push" }, "?env=prod");
    expect(res.status).toBe(202);
    const event = await storedEvent(res.body.event_id);
    expect(event.event).toBe("github.push");
    // The template names the resource: the webhook's name stays with the webhook, in `related`.
    expect(event.resource).toEqual({ "baton.resource.id": "github.repo.acme/app", stars: "7", env: "prod" });
    expect(event.related).toEqual([{ "baton.resource.id": `baton.webhook.${hook.id}`, "baton.resource.name": hook.name, "baton.resource.role": "webhook" }]);
    expect(event.payload).toEqual({ ref: "refs/heads/main", commits: body.commits, first: "abc", how: `POST via ${hook.name}` });
  });

  it("answers 422 naming the path when the event name's template finds nothing, and stores nothing", async () => {
    const hook = await createHook({ template: { event: "shop.order.{{ body.type }}" } });
    for (const body of ["{}", '{"type": null}']) {
      const res = await deliver(hook.slug, body, json);
      expect(res.status).toBe(422);
      expect(res.body.detail).toBe('template value event.name: body.type not found in the request (the webhook\'s event template is "shop.order.{{ body.type }}")');
    }
    expect(await eventsOf(hook)).toBe(0);
    const ok = await deliver(hook.slug, '{"type": "paid"}', json);
    expect((await storedEvent(ok.body.event_id)).event).toBe("shop.order.paid");
  });

  it("stores null for payload values the template finds nothing for, and leaves out labels it finds nothing for", async () => {
    const hook = await createHook({
      template: { event: "shop.order", resource: { "baton.resource.id": "shop.{{ body.shop }}", customer: "c-{{ body.customer }}" }, payload: { id: "{{ body.id }}", note: "order {{ body.nope }}", kept: "{{ body.shop }}" } },
    });
    const res = await deliver(hook.slug, '{"shop": "acme"}', json);
    expect(res.status).toBe(202);
    const event = await storedEvent(res.body.event_id);
    expect(event.resource).toEqual({ "baton.resource.id": "shop.acme" });
    expect(event.payload).toEqual({ id: null, note: null, kept: "acme" });
    const noId = await deliver(hook.slug, "{}", json);
    expect(noId.status).toBe(422);
    expect(noId.body.detail).toBe('template value event.resource["baton.resource.id"]: body.shop not found in the request (the webhook\'s template for it is "shop.{{ body.shop }}")');
  });

  it("answers 422 and stores nothing when the event name is a header that is missing", async () => {
    const hook = await createHook({ template: { event: "{{ headers.x-kind }}" } });
    const res = await deliver(hook.slug, "{}", json);
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe('template value event.name: headers.x-kind not found in the request (the webhook\'s event template is "{{ headers.x-kind }}")');
    expect(await eventsOf(hook)).toBe(0);
    expect((await deliver(hook.slug, "{}", { ...json, "x-kind": "deploy.done" })).status).toBe(202);
  });
});

describe("POST /hooks/{slug} with an HMAC secret", () => {
  it("accepts a valid signature, sha256=<hex> or bare hex, in any case of the header name", async () => {
    const hook = await createHook({ auth: "hmac", template: { event: "signed.{{ body.kind }}" } });
    const body = JSON.stringify({ kind: "push" });
    const res = await signed(hook, body);
    expect(res.status).toBe(202);
    expect((await storedEvent(res.body.event_id)).event).toBe("signed.push");
    const bare = await deliver(hook.slug, body, { ...json, "x-baton-signature-256": (await signHex(hook.secret!, body)).toUpperCase() });
    expect(bare.status).toBe(202);
  });

  it("checks the signature over the raw bytes, whatever the body's type", async () => {
    const hook = await createHook({ auth: "hmac", signature_header: "X-Hub-Signature-256", secret: "it-is-a-long-enough-secret" });
    const body = "a=1&b=%20";
    const sig = await signHex("it-is-a-long-enough-secret", body);
    const res = await deliver(hook.slug, body, { "content-type": "application/x-www-form-urlencoded", "x-hub-signature-256": `sha256=${sig}` });
    expect(res.status).toBe(202);
    expect((await storedEvent(res.body.event_id)).payload).toEqual({ body: { a: "1", b: " " } });
  });

  const MISSING = "missing X-Baton-Signature-256 signature header: send X-Baton-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the webhook's secret>";
  const MISMATCH = "the X-Baton-Signature-256 signature does not match the webhook's secret (HMAC-SHA256 of the raw body, hex)";
  const MALFORMED = "the X-Baton-Signature-256 signature is not sha256=<64 hex digits>: send the hex HMAC-SHA256 of the raw body, keyed with the webhook's secret";
  it.each([
    ["a missing signature", MISSING, () => ({})],
    ["a signature in another header", MISSING, async (h: Hook) => ({ "x-signature": `sha256=${await signHex(h.secret!, '{"x":1}')}` })],
    ["a signature of another body", MISMATCH, async (h: Hook) => ({ [h.signature_header]: `sha256=${await signHex(h.secret!, '{"x":2}')}` })],
    ["a signature with another secret", MISMATCH, async (h: Hook) => ({ [h.signature_header]: `sha256=${await signHex("not-the-secret-at-all", '{"x":1}')}` })],
    ["a malformed signature", MALFORMED, () => ({ "X-Baton-Signature-256": "sha256=zz" })],
    ["the secret itself as the signature", MALFORMED, (h: Hook) => ({ "X-Baton-Signature-256": h.secret! })],
  ])("answers 401 for %s, saying which, stores nothing, and never reveals the secret", async (_, detail, headers) => {
    const hook = await createHook({ auth: "hmac" });
    const res = await deliver(hook.slug, '{"x":1}', { ...json, ...(await headers(hook)) });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe(detail);
    expect(JSON.stringify(res.body)).not.toContain(hook.secret);
    expect(await eventsOf(hook)).toBe(0);
  });

  it("answers 401, not 400 or 415, to an unsigned request whatever its body", async () => {
    const hook = await createHook({ auth: "hmac" });
    expect((await deliver(hook.slug, "{not json", json)).status).toBe(401);
    expect((await deliver(hook.slug, "<xml/>", { "content-type": "application/xml" })).status).toBe(401);
  });

  it("takes the rotated secret and refuses the old one", async () => {
    const hook = await createHook({ auth: "hmac" });
    const rotated = (await api("POST", `/webhooks/${hook.id}/rotate`, { slug: false })).body as Hook;
    expect((await signed(hook, "{}")).status).toBe(401);
    expect((await signed(rotated, "{}")).status).toBe(202);
  });
});

describe("POST /hooks/{slug} with a bearer secret", () => {
  it("accepts the secret and refuses a wrong or missing one without revealing it", async () => {
    const hook = await createHook({ auth: "bearer" });
    const ok = await deliver(hook.slug, "{}", { ...json, authorization: `Bearer ${hook.secret}` });
    expect(ok.status).toBe(202);
    expect((await deliver(hook.slug, "{}", { ...json, authorization: `bearer ${hook.secret}` })).status).toBe(202);
    const missing = "missing Authorization header: send Authorization: Bearer <the webhook's secret>";
    const notBearer = "the Authorization header is not Bearer <token>: send Authorization: Bearer <the webhook's secret>";
    const mismatch = "the bearer token does not match the webhook's secret";
    for (const [authorization, detail] of [
      [`Bearer ${hook.secret!.slice(0, -1)}`, mismatch],
      [`Bearer ${hook.secret}x`, mismatch],
      [`Basic ${hook.secret}`, notBearer],
      ["Bearer ", notBearer],
      ["", missing],
    ] as const) {
      const res = await deliver(hook.slug, "{}", { ...json, authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.body.detail, authorization).toBe(detail);
      expect(JSON.stringify(res.body)).not.toContain(hook.secret!.slice(0, 8));
    }
    expect((await deliver(hook.slug, "{}", json)).body).toEqual({ detail: missing });
    expect(await eventsOf(hook)).toBe(2);
  });

  it("never lets a template store the bearer secret, even one that asks for every header", async () => {
    const hook = await createHook({ auth: "bearer", template: { payload: { headers: "{{ headers }}", auth: "{{ headers.authorization }}" } } });
    const res = await deliver(hook.slug, "{}", { ...json, authorization: `Bearer ${hook.secret}`, "x-custom": "kept" });
    expect(res.status).toBe(202);
    const { payload } = await storedEvent(res.body.event_id);
    expect(payload.headers).toMatchObject({ "x-custom": "kept" });
    expect(payload.auth).toBeNull();
    expect(JSON.stringify(payload)).not.toContain(hook.secret);
  });

  it("does not accept an HMAC signature instead", async () => {
    const hook = await createHook({ auth: "bearer" });
    const res = await deliver(hook.slug, "{}", { ...json, "x-baton-signature-256": await signHex(hook.secret!, "{}") });
    expect(res.status).toBe(401);
  });
});

describe("POST /hooks/{slug} bodies", () => {
  const open = () => createHook();

  it("accepts a body of exactly the limit, and refuses one byte more with 413, storing nothing", async () => {
    const hook = await open();
    const atLimit = await deliver(hook.slug, "a".repeat(MAX_WEBHOOK_BODY_BYTES), { "content-type": "text/plain" });
    expect(atLimit.status).toBe(202);
    const over = await deliver(hook.slug, "a".repeat(MAX_WEBHOOK_BODY_BYTES + 1), { "content-type": "text/plain" });
    expect(over.status).toBe(413);
    expect(over.body.detail).toBe(`request body over ${MAX_WEBHOOK_BODY_BYTES} bytes`);
    expect(await eventsOf(hook)).toBe(1);
  });

  it("counts the bytes of a streamed body with no length, and of one whose Content-Length lies", async () => {
    const hook = await open();
    const chunk = new TextEncoder().encode("b".repeat(64 * 1024));
    const stream = (chunks: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < chunks; i++) controller.enqueue(chunk);
          controller.close();
        },
      });
    expect((await deliver(hook.slug, stream(5), { "content-type": "text/plain" })).status).toBe(413);
    const lying = new Request(`http://baton.test/hooks/${hook.slug}`, { method: "POST", body: stream(5), headers: { "content-type": "text/plain", "content-length": "10" } });
    expect((await SELF.fetch(lying)).status).toBe(413);
    expect(await eventsOf(hook)).toBe(0);
    expect((await deliver(hook.slug, stream(2), { "content-type": "text/plain" })).status).toBe(202);
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    const hook = await open();
    const small = new TextEncoder().encode("{}");
    const res = await SELF.fetch(new Request(`http://baton.test/hooks/${hook.slug}`, {
      method: "POST",
      body: new ReadableStream({ start: (c) => (c.enqueue(small), c.close()) }),
      headers: { ...json, "content-length": String(MAX_WEBHOOK_BODY_BYTES + 1) },
    }));
    expect(res.status).toBe(413);
    expect(await eventsOf(hook)).toBe(0);
  });

  it("answers 400 for malformed JSON or text that is not UTF-8, 415 for other types", async () => {
    const hook = await open();
    const malformed = await deliver(hook.slug, '{"a": 1', json);
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/^malformed JSON body/);
    expect((await deliver(hook.slug, "", json)).status).toBe(400);
    expect((await deliver(hook.slug, new Uint8Array([0x68, 0xff, 0x69]), { "content-type": "text/plain" })).status).toBe(400);
    const xml = await deliver(hook.slug, "<a/>", { "content-type": "application/xml" });
    expect(xml.status).toBe(415);
    expect(xml.body.detail).toBe('send JSON, application/x-www-form-urlencoded or text/* (got "application/xml")');
    expect((await deliver(hook.slug, new TextEncoder().encode("raw bytes"), {})).status).toBe(415);
    expect((await deliver(hook.slug, "x", { "content-type": "multipart/form-data; boundary=x" })).status).toBe(415);
    expect(await eventsOf(hook)).toBe(0);
    expect((await deliver(hook.slug, '{"a": 1}', { "content-type": "application/vnd.api+json" })).status).toBe(202);
  });

  it("answers 422, not 500, for valid JSON nested too deep to be an event's payload", async () => {
    const hook = await open();
    const res = await deliver(hook.slug, `${"[".repeat(50_000)}${"]".repeat(50_000)}`, json);
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/^the webhook's template made an invalid event: event\.payload: must not be nested deeper than 32 levels/);
    expect(await eventsOf(hook)).toBe(0);
  });
});

describe("POST /hooks/{slug} URLs", () => {
  it("answers the same 404 for an unknown, a malformed and a disabled slug, and stores nothing", async () => {
    const hook = await createHook();
    await api("PATCH", `/webhooks/${hook.id}`, { enabled: false });
    const answers = await Promise.all([hook.slug, "A".repeat(32), "short", "a.b"].map((slug) => deliver(slug, "{}", json)));
    for (const a of answers) expect(a).toEqual({ status: 404, body: { detail: "no webhook at this URL" } });
    expect(await eventsOf(hook)).toBe(0);
    await api("PATCH", `/webhooks/${hook.id}`, { enabled: true });
    expect((await deliver(hook.slug, "{}", json)).status).toBe(202);
  });

  it("takes only POST", async () => {
    const hook = await createHook();
    expect((await SELF.fetch(`http://baton.test/hooks/${hook.slug}`)).status).toBe(404);
  });
});

describe("POST /hooks/{slug} redeliveries", () => {
  it("makes the same X-Baton-Event-Id the same event id, and another id another event", async () => {
    const hook = await createHook();
    const first = await deliver(hook.slug, "{}", { ...json, "x-baton-event-id": "delivery-1" });
    const again = await deliver(hook.slug, "{}", { ...json, "x-baton-event-id": "delivery-1" });
    const other = await deliver(hook.slug, "{}", { ...json, "x-baton-event-id": "delivery-2" });
    const none = [await deliver(hook.slug, "{}", json), await deliver(hook.slug, "{}", json)];
    expect(again.body.event_id).toBe(first.body.event_id);
    expect(other.body.event_id).not.toBe(first.body.event_id);
    expect(none[0]!.body.event_id).not.toBe(none[1]!.body.event_id);
  });

  it("takes the delivery id from where the template says, per webhook", async () => {
    const [a, b] = [await createHook({ template: { id: "{{ headers.x-github-delivery }}" } }), await createHook({ template: { id: "{{ headers.x-github-delivery }}" } })];
    const delivery = { ...json, "x-github-delivery": crypto.randomUUID() };
    const [a1, a2, b1] = [await deliver(a.slug, "{}", delivery), await deliver(a.slug, "{}", delivery), await deliver(b.slug, "{}", delivery)];
    expect(a2.body.event_id).toBe(a1.body.event_id);
    expect(b1.body.event_id).not.toBe(a1.body.event_id);
  });
});
