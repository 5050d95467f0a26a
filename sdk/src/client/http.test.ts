import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clientConfig } from "./config";
import { ApiClient, backoffMs, checkApi, HttpError, NotBatonApiError, UnreachableError } from "./http";

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

/** A real HTTP server answering with `handle`; answers the base URL of the server. */
async function serveWith(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handle);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * What a Baton server's root answers, as the local server and Cloudflare do: the API under /api, and the
 * dashboard everywhere else (its page for GETs, 405 with nothing for other methods).
 */
function batonServer(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === "/api/health") return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok","version":"1.2.3"}');
  if (req.url?.startsWith("/api/")) return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ detail: `no route for ${req.method} ${req.url}` }));
  if (req.method === "GET") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><html><body>dashboard</body></html>");
  res.writeHead(405).end();
}

const failure = (request: Promise<unknown>) => request.then(() => undefined, (e: unknown) => e as Error);

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

  it("says there is no Baton API at a server's root, and where it is, for GETs (a page) and POSTs (405) alike", async () => {
    const root = await serveWith(batonServer);
    const client = new ApiClient(clientConfig({ BATON_API_URL: root }));
    for (const request of [() => client.get("/work_pools/p"), () => client.post("/flow_runs/filter", {})]) {
      const error = await failure(request());
      expect(error).toBeInstanceOf(NotBatonApiError);
      expect(error).not.toBeInstanceOf(HttpError);
      expect(error?.message).toBe(`No Baton API at ${root} — did you mean ${root}/api? Set BATON_API_URL=${root}/api.`);
    }
    // A dashboard page's URL, pasted: the API is at the server's /api.
    const page = await failure(new ApiClient(clientConfig({ BATON_API_URL: `${root}/runs/abc` })).get("/health"));
    expect(page?.message).toContain(`did you mean ${root}/api?`);
    // The API's own 404s, "no route" included (a route this server does not have yet), stay HttpErrors.
    const own = await failure(new ApiClient(clientConfig({ BATON_API_URL: `${root}/api` })).get("/newer_route"));
    expect(own).toBeInstanceOf(HttpError);
    expect(own).toMatchObject({ status: 404, detail: "no route for GET /api/newer_route" });
  });

  it("says what answered instead when no Baton API is near, and does not retry it", async () => {
    const seen: string[] = [];
    const base = await serveWith((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    });
    const client = new ApiClient(clientConfig({ BATON_API_URL: `${base}/api` }));
    const error = await failure(client.get("/flows/x", { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }));
    expect(error).toBeInstanceOf(NotBatonApiError);
    expect(error?.message).toMatch(new RegExp(`^No Baton API at ${base}/api: GET ${base}/api/flows/x answered HTTP 404: Not Found\\. Set BATON_API_URL to the API's URL`));
    expect(seen.filter((s) => s === "GET /api/flows/x")).toHaveLength(1);
  });

  it("says in words that the server refused the request for want of a key, or for a wrong one", async () => {
    const base = await serveWith((req, res) =>
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ detail: req.headers.authorization ? "invalid API key" : "this server needs an API key" })),
    );
    const without = await failure(new ApiClient(clientConfig({ BATON_API_URL: `${base}/api` })).post("/flows/", {}));
    expect(without).toBeInstanceOf(HttpError);
    expect(without).toMatchObject({ status: 401 });
    expect(without?.message).toBe(`The Baton server at ${base}/api refused the request: no API key. Set BATON_API_KEY to a key of this server.`);
    const wrong = await failure(new ApiClient(clientConfig({ BATON_API_URL: `${base}/api`, BATON_API_KEY: "nope" })).post("/flows/", {}));
    expect(wrong?.message).toBe(
      `The Baton server at ${base}/api refused the request: it does not accept the key in BATON_API_KEY (invalid API key). Set BATON_API_KEY to a key of this server.`,
    );
  });

  it("checks that what answers GET /health is the Baton API", async () => {
    const root = await serveWith(batonServer);
    expect(await checkApi(new ApiClient(clientConfig({ BATON_API_URL: `${root}/api` })))).toEqual({ answers: true, version: "1.2.3" });
    const atRoot = await checkApi(new ApiClient(clientConfig({ BATON_API_URL: root })));
    expect(atRoot).toMatchObject({ answers: false, error: { message: expect.stringContaining(`did you mean ${root}/api?`) } });
  });
});
