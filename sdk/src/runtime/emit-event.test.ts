import type { EventPage } from "../../../protocol/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_URL } from "../client/config";
import { ApiClient, serverAnswers } from "../client/http";
import { freePort } from "../testing/free-port";
import { LocalServer } from "../worker/test-fixtures/local-server";
import { runScript } from "./test-fixtures/run-script";

/*
 * emitEvent outside any run, in a script: without a server the event is dropped at once with one notice,
 * and the script ends as soon as its work does (no retrying, no wait at exit for a server not there).
 */
const emitOutside = (env: Record<string, string>) => runScript(env, "emit-outside.ts");

describe("emitEvent outside a run", () => {
  it("without a server at the default URL, drops the event at once and says so once", async (ctx) => {
    // The case is "nothing configured and nothing on the default URL": someone's server there would answer.
    if (await serverAnswers(new ApiClient({ apiUrl: DEFAULT_API_URL, apiKey: undefined, configured: false }))) ctx.skip();
    const { code, stdout, stderr } = await emitOutside({});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^emitted [0-9a-f-]{36}\n$/);
    expect(stderr).toBe(`Baton: no Baton server answers at ${DEFAULT_API_URL}; events are not recorded. Start one with \`npx baton server start\` or set BATON_API_URL.\n`);
  });

  it("with a configured server that never answers, drops it after a few tries instead of retrying until exit", async () => {
    const url = `http://127.0.0.1:${await freePort()}/api`;
    const { code, stderr } = await emitOutside({ BATON_API_URL: url });
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`^Baton: the Baton server at ${url} did not answer \\(.*\\); events are not recorded\\.`));
    expect(stderr).not.toContain("retrying");
    expect(stderr).not.toContain("they are lost");
  });

  it("after a flow of the script found no server, drops it without looking again", async () => {
    const url = `http://127.0.0.1:${await freePort()}/api`;
    const { code, stderr } = await emitOutside({ BATON_API_URL: url, RUN_A_FLOW: "1" });
    expect(code).toBe(0);
    const notices = stderr.split("\n").filter((l) => l.startsWith("Baton:"));
    expect(notices).toEqual([
      expect.stringMatching(/did not answer .*; flows run, but nothing is recorded/),
      expect.stringMatching(/did not answer .*; events are not recorded/),
    ]);
  });

  describe("with a server", () => {
    let server: LocalServer;
    beforeAll(async () => void (server = await LocalServer.start()));
    afterAll(() => server?.dispose());

    it("sends the event before the script exits, and says nothing", async () => {
      const { code, stdout, stderr } = await emitOutside({ BATON_API_URL: server.apiUrl });
      expect(code).toBe(0);
      expect(stderr).toBe("");
      const id = /emitted (\S+)/.exec(stdout)![1]!;
      const page = await new ApiClient({ apiUrl: server.apiUrl, apiKey: undefined, configured: true }).post<EventPage>("/events/filter", { event: { name: ["test.outside"] } });
      expect(page.events.map((e) => e.id)).toContain(id);
    });
  });
});
