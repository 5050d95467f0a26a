import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baton } from "../testing/cli";
import { LocalServer } from "../worker/test-fixtures/local-server";

/*
 * The CLI pointed at a real server the wrong way (its root instead of /api, no key): one line that says
 * what is wrong and what to set, not a 405 without words or a stack.
 */

const KEY = "wrong-server-test-key";
let server: LocalServer;
let root: string;

beforeAll(async () => {
  server = await LocalServer.start(KEY);
  root = server.apiUrl.replace(/\/api$/, "");
});
afterAll(() => server?.dispose());

describe("the CLI at a URL without /api", () => {
  it("baton flow-run ls says there is no Baton API there, and where it is", async () => {
    const result = await baton(["flow-run", "ls"], { apiUrl: root, env: { BATON_API_KEY: KEY } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`✖ No Baton API at ${root} — did you mean ${server.apiUrl}? [E_NOT_BATON_API]\n  Set BATON_API_URL=${server.apiUrl}.\n`);
  });

  it("baton config checks that the API answers, and says it does not here (the dashboard's page does)", async () => {
    const text = await baton(["config"], { apiUrl: root });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Server\\s+No Baton API at ${root} — did you mean ${server.apiUrl}\\?`));
    expect(text.stdout).toMatch(/Access\s+unknown/);
    const json = JSON.parse((await baton(["config", "--json"], { apiUrl: root })).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ server_answers: false, server_version: null, key_accepted: null });
    expect(json.server_error).toContain(`did you mean ${server.apiUrl}?`);
    const right = JSON.parse((await baton(["config", "--json"], { apiUrl: server.apiUrl })).stdout) as Record<string, unknown>;
    expect(right).toMatchObject({ server_answers: true, server_version: expect.any(String), server_error: null, key_accepted: false });
  });
});

describe("baton watch at a URL without /api", () => {
  it("stops at once with the same line instead of waiting for a server that will never answer", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baton-watch-wrong-"));
    try {
      const result = await baton(["watch", dir], { apiUrl: root, env: { BATON_API_KEY: KEY } });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`✖ No Baton API at ${root} — did you mean ${server.apiUrl}? [E_NOT_BATON_API]\n  Set BATON_API_URL=${server.apiUrl}.\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the CLI without the server's key", () => {
  it("says the server refused the request for want of a key, and what to set", async () => {
    const result = await baton(["flow-run", "ls"], { apiUrl: server.apiUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `✖ The Baton server at ${server.apiUrl} refused the request: no API key. [E_UNAUTHORIZED]\n  Set BATON_API_KEY to a key of this server.\n`,
    );
  });
});
