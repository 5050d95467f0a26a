import { describe, expect, it } from "vitest";
import { runScript } from "../runtime/test-fixtures/run-script";
import { baton } from "../testing/cli";
import { clientConfig, ConfigError, DEFAULT_API_URL } from "./config";

const NO_SCHEME = "BATON_API_URL must start with http:// or https:// (did you mean http://127.0.0.1:4320/api?)";

describe("clientConfig", () => {
  it("takes BATON_API_URL without its trailing slash, or guesses the local server", () => {
    expect(clientConfig({ BATON_API_URL: " https://b.example.dev/api/ ", BATON_API_KEY: "k" })).toEqual({ apiUrl: "https://b.example.dev/api", apiKey: "k", configured: true });
    expect(clientConfig({})).toEqual({ apiUrl: DEFAULT_API_URL, apiKey: undefined, configured: false });
  });

  it("refuses a URL without http:// or https://, and says what was probably meant", () => {
    for (const url of ["127.0.0.1:4320/api", "//127.0.0.1:4320/api", "ws://127.0.0.1:4320/api"]) {
      expect(() => clientConfig({ BATON_API_URL: url })).toThrow(new ConfigError(NO_SCHEME));
    }
    expect(() => clientConfig({ BATON_API_URL: "localhost:4200/api" })).toThrow("(did you mean http://localhost:4200/api?)");
  });

  it("is one line of the CLI, and the error a script's flow call throws", async () => {
    const cli = await baton(["flow-run", "ls"], { apiUrl: "127.0.0.1:4320/api" });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toBe(`✖ ${NO_SCHEME} [E_CONFIG]\n`);
    const script = await runScript({ BATON_API_URL: "127.0.0.1:4320/api" });
    expect(script.code).toBe(1);
    expect(script.stderr).toContain(`ConfigError: ${NO_SCHEME}`);
    expect(script.stderr).not.toContain("Cannot reach");
  });
});
