import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { waitForHealth } from "./health";

describe("waitForHealth", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(status: (attempt: number) => number): Promise<URL> {
    let attempt = 0;
    server = createServer((request, response) => {
      response.statusCode = request.url === "/api/health" ? status(++attempt) : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("no address");
    return new URL(`http://127.0.0.1:${address.port}/`);
  }

  it("waits until /api/health answers 200", async () => {
    const url = await serve((attempt) => (attempt < 3 ? 503 : 200));
    await expect(waitForHealth(url, { intervalMs: 10 })).resolves.toBeUndefined();
  });

  it("fails with E_HEALTH_TIMEOUT and the last answer when it never does", async () => {
    const url = await serve(() => 404);
    await expect(waitForHealth(url, { timeoutMs: 2_000, intervalMs: 50 })).rejects.toMatchObject({
      code: "E_HEALTH_TIMEOUT",
      message: expect.stringContaining("last: HTTP 404 Not Found"),
    });
  });

  it("reports the last answer, not the attempt the deadline cut short", async () => {
    // The first attempt answers 404; the next hangs past the deadline and is aborted by it.
    let attempt = 0;
    server = createServer((_request, response) => {
      if (++attempt === 1) {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("no address");
    try {
      await expect(waitForHealth(new URL(`http://127.0.0.1:${address.port}/`), { timeoutMs: 500, intervalMs: 10 })).rejects.toMatchObject({
        code: "E_HEALTH_TIMEOUT",
        message: expect.stringContaining("last: HTTP 404 Not Found"),
      });
    } finally {
      server.closeAllConnections();
    }
  });

  it("stops waiting when aborted", async () => {
    const url = await serve(() => 503);
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error("stopping")), 50);
    await expect(waitForHealth(url, { intervalMs: 10, signal: stop.signal })).rejects.toThrow("stopping");
  });
});
