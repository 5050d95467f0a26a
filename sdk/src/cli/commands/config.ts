import { defineCommand } from "citty";
import pc from "picocolors";
import { clientConfig } from "../../client/config";
import { ApiClient, checkApi, NotBatonApiError } from "../../client/http";
import { out } from "../../output";
import { details, printJson } from "../format";

/** What the CLI would talk to: never prints the key itself, only whether one is set. */
export const config = defineCommand({
  meta: { name: "baton config", description: "Show the server the CLI talks to, whether a key is set, and whether the server answers" },
  args: { json: { type: "boolean", description: "Print JSON instead of text" } },
  async run({ args }) {
    const settings = clientConfig();
    const client = new ApiClient(settings);
    // Something answering is not enough: the dashboard answers GET {root}/health with its page.
    const checked = await checkApi(client, 3000);
    const health = checked.answers
      ? { answers: true, version: checked.version, error: null }
      : { answers: false, version: null, error: checked.error.message, notApi: checked.error instanceof NotBatonApiError };
    // /health needs no key; /admin/version needs one whenever the server has one set.
    const keyAccepted = health.answers ? await client.get("/admin/version", { timeoutMs: 3000 }).then(() => true, () => false) : null;
    if (args.json) {
      return printJson({
        api_url: settings.apiUrl,
        api_url_source: settings.configured ? "BATON_API_URL" : "default",
        api_key_set: !!settings.apiKey,
        server_answers: health.answers,
        server_version: health.version,
        server_error: health.error,
        key_accepted: keyAccepted,
      });
    }
    out.info(
      details([
        ["API URL", `${settings.apiUrl} ${pc.dim(settings.configured ? "(BATON_API_URL)" : "(default; set BATON_API_URL to change it)")}`],
        ["API key", settings.apiKey ? `set ${pc.dim("(BATON_API_KEY)")}` : `not set ${pc.dim("(BATON_API_KEY)")}`],
        ["Server", serverLine(health)],
        ["Access", keyAccepted === null ? pc.dim("unknown") : keyAccepted ? pc.green("allowed") : `${pc.red("refused")} ${pc.dim("(set BATON_API_KEY to a key of this server)")}`],
      ]),
    );
  },
});

function serverLine(health: { answers: boolean; version: string | null; error: string | null; notApi?: boolean }): string {
  if (health.answers) return `${pc.green("answers")}${health.version ? pc.dim(` (version ${health.version})`) : ""}`;
  // Something answers, but not the API: the error says what answered and, when found, where the API is.
  if (health.notApi) return pc.red(health.error ?? "");
  return `${pc.red("does not answer")} ${pc.dim(health.error ?? "")}`;
}
