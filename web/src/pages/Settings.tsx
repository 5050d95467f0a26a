import { curl } from "../api/curl";
import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function Settings() {
  return (
    <Page title="Settings">
      <p class="lead">API keys will be managed here.</p>
      <p>
        Until then, a deployed server takes its API key from the <code>BATON_API_KEY</code> secret, and the CLI and
        workers send the same key from their <code>BATON_API_KEY</code> environment variable:
      </p>
      <Command>npx wrangler secret put BATON_API_KEY</Command>
      <p>Keys can also be stored (hashed) on the server; the first one turns authentication on:</p>
      <Command>{curl("POST", "/api_keys/", { name: "ci" })}</Command>
    </Page>
  );
}
