import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "./test/http";
import { newFlowRun } from "./test/runs";

const send = (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) =>
  SELF.fetch(`http://baton.test/api${path}`, { method, body, headers });

describe("request bodies", () => {
  it("refuses a body without Content-Type with 415 instead of reading it as {}", async () => {
    const run = await newFlowRun();
    const json = new TextEncoder().encode(JSON.stringify({ name: "renamed" }));
    const res = await send("PATCH", `/flow_runs/${run.id}`, json);
    expect(res.status).toBe(415);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/Content-Type: application\/json/);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.name).toBe(run.name);
    expect((await send("PATCH", `/flow_runs/${run.id}`, json, { "content-type": "application/json" })).status).toBe(204);
  });

  it("lets requests without a body, or with an empty one, through without Content-Type", async () => {
    expect((await send("POST", "/flows/filter")).status).toBe(200);
    expect((await send("POST", "/flows/filter", new Uint8Array())).status).toBe(200);
  });
});
