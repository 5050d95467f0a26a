import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_URL } from "../client/config";
import { ApiClient, serverAnswers } from "../client/http";
import { runScript } from "./test-fixtures/run-script";

describe("a flow file run as a script without a server", () => {
  let home: string;
  beforeAll(async () => void (home = await mkdtemp(join(tmpdir(), "baton-no-server-"))));
  afterAll(() => rm(home, { recursive: true, force: true }));

  it("runs its flows and says once, on stderr, that nothing is recorded", async (ctx) => {
    // The case is "nothing configured and nothing on the default URL": someone's server there would answer.
    if (await serverAnswers(new ApiClient({ apiUrl: DEFAULT_API_URL, apiKey: undefined, configured: false }))) ctx.skip();
    const { code, stdout, stderr } = await runScript({ BATON_HOME: home });
    expect(code).toBe(0);
    expect(stdout).toMatch(/result 4\n/);
    expect(stdout).toMatch(/again 6\n/);
    expect(stdout.match(/printed by the flow/g)).toHaveLength(2);
    expect(stderr.match(/nothing is recorded/g)).toHaveLength(1);
    expect(stderr).toContain(`no Baton server answers at ${DEFAULT_API_URL}`);
  });
});
