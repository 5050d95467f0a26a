import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clientConfig } from "./config";
import { ApiClient, backoffMs, HttpError, UnreachableError } from "./http";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A real HTTP server answering each request with the next of `answers` (status, body). */
async function serve(answers: [number, unknown][]): Promise<{ client: ApiClient; seen: { method: string; url: string; auth?: string }[] }> {
  const seen: { method: string; url: string; auth?: string }[] = [];
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    const [status, body] = answers.shift() ?? [500, { detail: "no more answers" }];
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { client: new ApiClient(clientConfig({ BATON_API_URL: `http://127.0.0.1:${port}/api/`, BATON_API_KEY: "k" })), seen };
}

describe("ApiClient", () => {
  it("sends the key and answers the JSON body", async () => {
    const { client, seen } = await serve([[200, { ok: 1 }]]);
    expect(await client.post("/flows/", { name: "f" })).toEqual({ ok: 1 });
    expect(seen).toEqual([{ method: "POST", url: "/api/flows/", auth: "Bearer k" }]);
  });

  it("turns a 4xx into an HttpError with method, URL, status and detail, without retrying", async () => {
    const { client, seen } = await serve([[422, { detail: "invalid body.name" }]]);
    const error = (await client.post("/flows/", {}, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/api\/flows\/ → 422: invalid body\.name$/);
    expect(seen).toHaveLength(1);
  });

  it("retries 5xx answers under a retry policy", async () => {
    const { client, seen } = await serve([[503, { detail: "busy" }], [500, {}], [201, { id: "x" }]]);
    expect(await client.post("/logs/", [], { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } })).toEqual({ id: "x" });
    expect(seen).toHaveLength(3);
  });

  it("says which server it could not reach", async () => {
    const client = new ApiClient(clientConfig({ BATON_API_URL: "http://127.0.0.1:9/api" }));
    const error = (await client.get("/health").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.message).toMatch(/cannot reach the Baton server at http:\/\/127\.0\.0\.1:9\/api/);
  });

  it("backs off exponentially with jitter, capped", () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4].map((a) => backoffMs(policy, a, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(policy, 0, () => 0)).toBe(50);
  });

  it("builds the worker socket URL", () => {
    expect(new ApiClient(clientConfig({ BATON_API_URL: "https://b.example.dev/api" })).socketUrl("my pool")).toBe("wss://b.example.dev/api/work_pools/my%20pool/connect");
  });
});
