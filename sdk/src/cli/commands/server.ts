import { defineCommand } from "citty";
import { out } from "../../output";
import { DEFAULT_HOST, DEFAULT_PORT, resolveServerOptions } from "../../server/options";

const start = defineCommand({
  meta: { name: "baton server start", description: "Start the local server: API, scheduler and dashboard" },
  args: {
    port: { type: "string", description: "Port to listen on", default: String(DEFAULT_PORT), valueHint: "port" },
    host: { type: "string", description: "Address to listen on", default: DEFAULT_HOST, valueHint: "address" },
  },
  async run({ args }) {
    const options = resolveServerOptions(args, process.env);
    const shutdown = new AbortController();
    const onSignal = (name: NodeJS.Signals) => {
      // A second Ctrl-C while stopping means "now"; the exit hooks still stop workerd.
      if (shutdown.signal.aborted) process.exit(1);
      out.info(`\nStopping (${name})…`);
      shutdown.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      // Loaded here, not at the top: wrangler is large, and `baton --help` should not pay for it.
      const { startServer } = await import("../../server/start");
      const server = await startServer(options, out, shutdown.signal).catch((error: unknown) => {
        if (shutdown.signal.aborted) return undefined;
        throw error;
      });
      if (server) {
        if (!shutdown.signal.aborted) await new Promise((resolve) => shutdown.signal.addEventListener("abort", resolve));
        await server.stop();
      }
      out.success("Server stopped.");
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});

export const server = defineCommand({
  meta: { name: "baton server", description: "Run a Baton server on this machine" },
  subCommands: { start },
});
