import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { checkedEvent, deliveryEventId, headerObject, queryObject, webhookEvent, type HookRequest, type HookWebhook } from "./event";

const hook = (template: HookWebhook["template"] = {}): HookWebhook => ({ id: "w1", name: "github", slug: "slug-slug-slug", template });
const request = (over: Partial<HookRequest> = {}): HookRequest => ({ body: { a: 1 }, headers: {}, query: {}, method: "POST", ...over });
const self = { "baton.resource.id": "baton.webhook.w1", "baton.resource.name": "github" };

describe("webhookEvent", () => {
  it("defaults to webhook.received about the webhook, with the whole body as payload", () => {
    expect(webhookEvent(hook(), request())).toEqual({
      event: { event: "webhook.received", resource: self, related: [{ ...self, "baton.resource.role": "webhook" }], payload: { body: { a: 1 } } },
      deliveryId: "",
    });
  });

  it("makes a resource the template names of its labels only, written as text; the webhook is the related one", () => {
    const t = { resource: { "baton.resource.id": "repo.{{ body.repo }}", n: "{{ body.n }}", o: "{{ body.o }}", missing: "{{ body.nope }}" } };
    const { event } = webhookEvent(hook(t), request({ body: { repo: "acme/app", n: 3, o: { k: true } } }));
    // A label is text, never null: one whose value is not in the request is left out, not written as "".
    expect(event.resource).toEqual({ "baton.resource.id": "repo.acme/app", n: "3", o: '{"k":true}' });
    expect(event.related).toEqual([{ ...self, "baton.resource.role": "webhook" }]);
  });

  it("does not name every order after the webhook (README's shop example)", () => {
    const t = { event: "shop.order.{{ body.action }}", resource: { "baton.resource.id": "shop.order.{{ body.order.id }}" } };
    const { event } = webhookEvent(hook(t), request({ body: { action: "paid", order: { id: 1001 } } }));
    expect(event.resource).toEqual({ "baton.resource.id": "shop.order.1001" });
    expect(event.related).toEqual([{ "baton.resource.id": "baton.webhook.w1", "baton.resource.name": "github", "baton.resource.role": "webhook" }]);
    // A template may still name it.
    const named = webhookEvent(hook({ resource: { ...t.resource, "baton.resource.name": "order {{ body.order.id }}" } }), request({ body: { order: { id: 7 } } }));
    expect(named.event.resource).toEqual({ "baton.resource.id": "shop.order.7", "baton.resource.name": "order 7" });
  });

  it("keeps the webhook as the resource when the template adds labels but no id", () => {
    const { event } = webhookEvent(hook({ resource: { region: "{{ body.region }}" } }), request({ body: { region: "eu" } }));
    expect(event.resource).toEqual({ ...self, region: "eu" });
  });

  it("keeps types in a payload template, and reads headers, query, method and the webhook", () => {
    const t = { event: "{{ webhook.name }}.{{ headers.x-event }}", payload: { all: "{{ body }}", q: "{{ query.tag }}", m: "{{ method }}", slug: "{{ webhook.slug }}" } };
    const { event } = webhookEvent(hook(t), request({ headers: { "x-event": "push" }, query: { tag: ["a", "b"] } }));
    expect(event.event).toBe("github.push");
    expect(event.payload).toEqual({ all: { a: 1 }, q: ["a", "b"], m: "POST", slug: "slug-slug-slug" });
  });

  it("refuses with 422 an event name or resource id whose template finds nothing, naming every path", () => {
    const noName = () => webhookEvent(hook({ event: "{{ headers.x-kind }}.{{ body.type }}.{{ body.a }}" }), request());
    expect(noName).toThrow(ApiError);
    expect(noName).toThrow('template value event.name: headers.x-kind, body.type not found in the request (the webhook\'s event template is "{{ headers.x-kind }}.{{ body.type }}.{{ body.a }}")');
    const noId = () => webhookEvent(hook({ resource: { "baton.resource.id": "repo.{{ body.repo }}" } }), request());
    expect(noId).toThrow('template value event.resource["baton.resource.id"]: body.repo not found in the request (the webhook\'s template for it is "repo.{{ body.repo }}")');
  });

  it("makes a payload value null, whole or part, when the template finds nothing", () => {
    const { event } = webhookEvent(hook({ payload: { whole: "{{ body.nope }}", part: "n={{ body.nope }}", list: ["{{ body.a }}", "{{ query.x }}"] } }), request());
    expect(event.payload).toEqual({ whole: null, part: null, list: [1, null] });
  });

  it("finds the delivery id where the template says (default: X-Baton-Event-Id)", () => {
    expect(webhookEvent(hook(), request({ headers: { "x-baton-event-id": " d-1 " } })).deliveryId).toBe("d-1");
    expect(webhookEvent(hook({ id: "{{ body.id }}" }), request({ body: { id: 42 } })).deliveryId).toBe("42");
    expect(webhookEvent(hook({ id: "{{ body.id }}" }), request()).deliveryId).toBe("");
  });
});

describe("checkedEvent", () => {
  it("passes a valid event and answers 422 naming the first bad field of another", () => {
    const { event } = webhookEvent(hook(), request());
    expect(checkedEvent(event)).toMatchObject({ event: "webhook.received", resource: self });
    const bad = webhookEvent(hook({ event: "has space {{ body.a }}" }), request()).event;
    expect(() => checkedEvent(bad)).toThrow(ApiError);
    expect(() => checkedEvent(bad)).toThrow("the webhook's template made an invalid event: event.event: must not contain spaces or control characters");
    const emptyId = webhookEvent(hook({ resource: { "baton.resource.id": "{{ body.empty }}" } }), request({ body: { empty: "" } })).event;
    expect(() => checkedEvent(emptyId)).toThrow(/event\.resource: must have a "baton\.resource\.id" label/);
  });
});

describe("deliveryEventId", () => {
  it("is a stable UUID per webhook and delivery", async () => {
    const a = await deliveryEventId("w1", "d-1");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await deliveryEventId("w1", "d-1")).toBe(a);
    expect(await deliveryEventId("w1", "d-2")).not.toBe(a);
    expect(await deliveryEventId("w2", "d-1")).not.toBe(a);
  });
});

describe("request parts", () => {
  it("lower-cases header names and keeps repeated query keys", () => {
    expect(headerObject(new Headers({ "X-GitHub-Event": "push", Accept: "*/*" }))).toEqual({ "x-github-event": "push", accept: "*/*" });
  });

  it("hides credentials from templates", () => {
    const headers = new Headers({ Authorization: "Bearer s3cret", Cookie: "a=b", "Proxy-Authorization": "x", "X-Hub-Signature-256": "sha256=00" });
    expect(headerObject(headers)).toEqual({ "x-hub-signature-256": "sha256=00" });
    expect(queryObject(new URL("http://x/?a=1&b=2&a=3&c"))).toEqual({ a: ["1", "3"], b: "2", c: "" });
  });
});
