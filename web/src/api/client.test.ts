import { describe, expect, it } from "vitest";
import { ApiError, createClient, detailOf, formatApiError } from "./client";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const call = { url: String(input), init };
    calls.push(call);
    return respond(call);
  };
  return { fetch, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("formatApiError", () => {
  it("names the method, URL, status and the server's detail", () => {
    expect(formatApiError("POST", "/api/flows", 422, "name is required")).toBe(
      "POST /api/flows failed with 422: name is required",
    );
  });

  it("leaves out what is not known", () => {
    expect(formatApiError("GET", "/api/runs", 500, undefined)).toBe("GET /api/runs failed with 500");
    expect(formatApiError("GET", "/api/runs", undefined, "Failed to fetch")).toBe(
      "GET /api/runs failed: Failed to fetch",
    );
  });
});

describe("detailOf", () => {
  it("reads a string detail", () => {
    expect(detailOf({ detail: "Deployment not found" })).toBe("Deployment not found");
  });

  it("keeps a structured detail readable as JSON", () => {
    expect(detailOf({ detail: [{ path: "name", message: "required" }] })).toBe(
      '[{"path":"name","message":"required"}]',
    );
  });

  it("is undefined when there is no detail", () => {
    expect(detailOf({ error: "x" })).toBeUndefined();
    expect(detailOf({ detail: null })).toBeUndefined();
    expect(detailOf("oops")).toBeUndefined();
    expect(detailOf(null)).toBeUndefined();
  });
});

describe("createClient", () => {
  it("GETs JSON under the base path", async () => {
    const { fetch, calls } = fakeFetch(() => json({ status: "ok", version: "0.1.0" }));
    const client = createClient({ fetch });

    await expect(client.get("/health")).resolves.toEqual({ status: "ok", version: "0.1.0" });
    expect(calls[0]?.url).toBe("/api/health");
    expect(calls[0]?.init?.method).toBe("GET");
    expect(calls[0]?.init?.body).toBeUndefined();
    expect(new Headers(calls[0]?.init?.headers).get("accept")).toBe("application/json");
  });

  it("sends a body as JSON", async () => {
    const { fetch, calls } = fakeFetch(() => json({ id: "run-1" }, 201));
    const client = createClient({ base: "http://localhost:4200/api", fetch });

    await expect(client.post("/deployments/d1/create_flow_run", { parameters: { name: "Ada" } })).resolves.toEqual({
      id: "run-1",
    });
    expect(calls[0]?.url).toBe("http://localhost:4200/api/deployments/d1/create_flow_run");
    expect(calls[0]?.init?.method).toBe("POST");
    expect(calls[0]?.init?.body).toBe('{"parameters":{"name":"Ada"}}');
    expect(new Headers(calls[0]?.init?.headers).get("content-type")).toBe("application/json");
  });

  it("resolves undefined for an empty answer", async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(createClient({ fetch }).delete("/flows/f1")).resolves.toBeUndefined();
  });

  it("throws an ApiError with the server's detail on a non-2xx answer", async () => {
    const { fetch } = fakeFetch(() => json({ detail: "Work pool is paused" }, 409));
    const error = await createClient({ fetch })
      .patch("/work_pools/default", { is_paused: false })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      method: "PATCH",
      url: "/api/work_pools/default",
      status: 409,
      detail: "Work pool is paused",
      message: "PATCH /api/work_pools/default failed with 409: Work pool is paused",
    });
  });

  it("still reports the status when an error body is not JSON", async () => {
    const { fetch } = fakeFetch(() => new Response("<html>Bad gateway</html>", { status: 502 }));
    await expect(createClient({ fetch }).get("/runs")).rejects.toMatchObject({
      status: 502,
      detail: undefined,
      message: "GET /api/runs failed with 502",
    });
  });

  it("rejects a 2xx answer that is not JSON, such as the dashboard's own index.html", async () => {
    const { fetch } = fakeFetch(() => new Response("<!doctype html><html></html>", { status: 200 }));
    await expect(createClient({ fetch }).get("/health")).rejects.toMatchObject({
      status: 200,
      message: "GET /api/health failed with 200: response is not JSON",
    });
  });

  it("wraps a network failure, keeping the original error as the cause", async () => {
    const failure = new TypeError("Failed to fetch");
    const { fetch } = fakeFetch(() => Promise.reject(failure));
    const error = await createClient({ fetch })
      .get("/health")
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: undefined, message: "GET /api/health failed: Failed to fetch" });
    expect((error as ApiError).cause).toBe(failure);
  });

  it("passes the caller's abort signal on", async () => {
    const { fetch, calls } = fakeFetch(() => json({}));
    const controller = new AbortController();
    await createClient({ fetch }).get("/flows", { signal: controller.signal });
    expect(calls[0]?.init?.signal).toBe(controller.signal);
  });
});

describe("API key and 401", () => {
  it("sends the extra headers, and reports a 401 with the server's field errors", async () => {
    let seen: Headers | undefined;
    let unauthorized = 0;
    const client = createClient({
      base: "/api",
      headers: () => ({ authorization: "Bearer k1" }),
      onUnauthorized: () => unauthorized++,
      fetch: async (_url, init) => {
        seen = new Headers(init?.headers);
        return new Response(JSON.stringify({ detail: "invalid API key", errors: [{ path: "x", message: "bad" }] }), { status: 401 });
      },
    });
    const error = await client.get("/flows/x").catch((e: unknown) => e);
    expect(seen?.get("authorization")).toBe("Bearer k1");
    expect(unauthorized).toBe(1);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).errors).toEqual([{ path: "x", message: "bad" }]);
  });
});
