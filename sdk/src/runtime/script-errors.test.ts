import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalServer } from "../worker/test-fixtures/local-server";
import { runScript } from "./test-fixtures/run-script";

/*
 * A flow file run as a script against a real server that refuses it: what Node prints of the error the
 * script gets must say what to fix, not show an HttpError's fields.
 */

const KEY = "script-errors-test-key";
let server: LocalServer;

beforeAll(async () => {
  server = await LocalServer.start(KEY);
});
afterAll(() => server?.dispose());

describe("a flow file run as a script", () => {
  it("without the server's key, fails saying the server refused it for want of a key", async () => {
    const { code, stdout, stderr } = await runScript({ BATON_API_URL: server.apiUrl });
    expect(code).toBe(1);
    expect(stdout).not.toContain("result");
    expect(stderr).toContain(`The Baton server at ${server.apiUrl} refused the request: no API key. Set BATON_API_KEY to a key of this server.`);
    // The message says it all: no dump of the response's fields under the stack.
    expect(stderr).not.toMatch(/status: 401|detail:|body:/);
  });

  it("at the server's root (no /api), fails saying where the API is", async () => {
    const root = server.apiUrl.replace(/\/api$/, "");
    const { code, stderr } = await runScript({ BATON_API_URL: root, BATON_API_KEY: KEY });
    expect(code).toBe(1);
    expect(stderr).toContain(`No Baton API at ${root} — did you mean ${server.apiUrl}? Set BATON_API_URL=${server.apiUrl}.`);
    expect(stderr).not.toMatch(/→ 405|nothing is recorded/);
  });
});
