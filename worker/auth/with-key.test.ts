import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { sqlRun, unique } from "../test/runs";
import { openSocket } from "../test/sockets";
import { openStream } from "../test/stream";

// This file runs in the "worker-auth" project, whose Worker has BATON_API_KEY=test-key (vitest.config.ts).
const auth = { authorization: "Bearer test-key" };

describe("a server with BATON_API_KEY", () => {
  it("keeps /api/health open", async () => {
    expect((await api("GET", "/health")).status).toBe(200);
    expect((await api("GET", "/health/")).status).toBe(200);
  });

  it.each([
    "/api/flows/filter",
    "/api/flows/filter/",
    "//api/flows/filter",
    "/api//flows/filter",
    "/%61pi/flows/filter",
    "/api/%66lows/filter",
    "/API/flows/filter",
  ])("answers 401 without the key on %s", async (path) => {
    const res = await SELF.fetch(`http://baton.test${path}`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/API key/);
  });

  it("accepts the key, case-insensitive scheme, and refuses a wrong one", async () => {
    expect((await api("POST", "/flows/filter", {}, auth)).status).toBe(200);
    expect((await api("POST", "/flows/filter", {}, { authorization: "bearer test-key" })).status).toBe(200);
    expect((await api("POST", "/flows/filter", {}, { authorization: "Bearer test-kez" })).status).toBe(401);
    expect((await api("POST", "/flows/filter", {}, { authorization: "Basic dGVzdC1rZXk=" })).status).toBe(401);
  });

  it("refuses WebSocket upgrades without a key or ticket, and never takes the key in the URL", async () => {
    const upgrade = { upgrade: "websocket" };
    expect((await SELF.fetch("http://baton.test/api/events/stream", { headers: { upgrade: "websocket" } })).status).toBe(401);
    expect((await SELF.fetch("http://baton.test/api/events/stream?ticket=test-key", { headers: upgrade })).status).toBe(401);
    expect((await SELF.fetch("http://baton.test/api/events/stream?api_key=test-key", { headers: upgrade })).status).toBe(401);
  });

  it("issues short-lived tickets that only open WebSocket upgrades", async () => {
    const issued = await api("POST", "/auth/ticket", undefined, auth);
    expect(issued.status).toBe(201);
    const { ticket, expires } = issued.body;
    expect(Date.parse(expires) - Date.now()).toBeLessThanOrEqual(61_000);
    // Past auth, the stream opens: the ticket was accepted.
    const withTicket = await SELF.fetch(`http://baton.test/api/events/stream?ticket=${ticket}`, { headers: { upgrade: "websocket" } });
    expect(withTicket.status).toBe(101);
    withTicket.webSocket!.accept();
    withTicket.webSocket!.close();
    const plainGet = await SELF.fetch(`http://baton.test/api/admin/version?ticket=${ticket}`);
    expect(plainGet.status).toBe(401);
    const forged = `${ticket.split(".")[0]}.${"A".repeat(43)}`;
    const res = await SELF.fetch(`http://baton.test/api/events/stream?ticket=${forged}`, { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(401);
  });

  it("opens the live stream with a ticket and streams what a keyed client changes", async () => {
    const { ticket } = (await api("POST", "/auth/ticket", undefined, auth)).body;
    const s = await openStream(`?ticket=${ticket}`);
    await s.subscribe(["flow_runs"]);
    const flow = await api("POST", "/flows/", { name: unique("streamed") }, auth);
    const run = await api("POST", "/flow_runs/", { flow_id: flow.body.id }, auth);
    expect(run.status).toBe(201);
    expect((await s.next("flow_run", (m) => m.flow_run.id === run.body.id)).flow_run_full).toMatchObject({ id: run.body.id });
    s.close();
    expect((await SELF.fetch("http://baton.test/api/events/stream", { headers: { upgrade: "websocket" } })).status).toBe(401);
    const keyed = await openStream("", auth);
    keyed.close();
  });

  describe("the worker socket", () => {
    async function newPool(): Promise<string> {
      const now = new Date().toISOString();
      const name = unique("auth-pool");
      await sqlRun("INSERT INTO work_pools (id, created, updated, name) VALUES (?, ?, ?, ?)", crypto.randomUUID(), now, now, name);
      return name;
    }
    const upgrade = { upgrade: "websocket" };

    it("refuses an upgrade without a key or ticket with 401, whatever the spelling of the path", async () => {
      const pool = await newPool();
      for (const path of [`/api/work_pools/${pool}/connect`, `/api/work_pools/${pool}/connect/`, `/api/work_pools/${pool}/%63onnect`, `//api/work_pools/${pool}/connect`]) {
        const res = await SELF.fetch(`http://baton.test${path}`, { headers: upgrade });
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.webSocket).toBeNull();
      }
      for (const query of ["?ticket=test-key", "?api_key=test-key", "?ticket="]) {
        expect((await SELF.fetch(`http://baton.test/api/work_pools/${pool}/connect${query}`, { headers: upgrade })).status).toBe(401);
      }
      const wrong = await SELF.fetch(`http://baton.test/api/work_pools/${pool}/connect`, { headers: { ...upgrade, authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
    });

    it("accepts the key as a Bearer header, and the pool welcomes the worker", async () => {
      const w = await openSocket(await newPool(), auth);
      w.send({ type: "hello", protocol: 1, name: "keyed", capacity: 1 });
      expect((await w.next("welcome")).worker_id).toBeTypeOf("string");
      w.close();
    });

    it("accepts a ticket from POST /api/auth/ticket as ?ticket=", async () => {
      const pool = await newPool();
      const { ticket } = (await api("POST", "/auth/ticket", undefined, auth)).body;
      const res = await SELF.fetch(`http://baton.test/api/work_pools/${pool}/connect?ticket=${ticket}`, { headers: upgrade });
      expect(res.status).toBe(101);
      res.webSocket!.accept();
      const welcomed = new Promise<{ type: string }>((resolve) => res.webSocket!.addEventListener("message", (e) => resolve(JSON.parse(e.data as string))));
      res.webSocket!.send(JSON.stringify({ type: "hello", protocol: 1, name: "ticketed", capacity: 1 }));
      expect((await welcomed).type).toBe("welcome");
      res.webSocket!.close();
    });
  });

  it("sends no CORS headers to other origins", async () => {
    const res = await SELF.fetch("http://baton.test/api/health", { headers: { origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("webhooks on a server with BATON_API_KEY", () => {
  it("manages webhooks only with the key, but takes deliveries to /hooks/{slug} without it", async () => {
    const name = unique("keyed-hook");
    expect((await api("POST", "/webhooks/", { name })).status).toBe(401);
    expect((await SELF.fetch("http://baton.test/api/webhooks")).status).toBe(401);
    const hook = await api("POST", "/webhooks/", { name, auth: "bearer" }, auth);
    expect(hook.status).toBe(201);
    const deliver = (headers: Record<string, string>) =>
      SELF.fetch(`http://baton.test/hooks/${hook.body.slug}`, { method: "POST", body: "{}", headers: { "content-type": "application/json", ...headers } });
    // The webhook's own secret, not the API key, opens it.
    expect((await deliver({ authorization: `Bearer ${hook.body.secret}` })).status).toBe(202);
    expect((await deliver(auth)).status).toBe(401);
    expect((await deliver({})).status).toBe(401);
  });
});
