import { defineCommand } from "citty";
import pc from "picocolors";
import type { OutgoingEvent } from "../../client/event-shipper";
import { checkApi, NotBatonApiError, UnreachableError } from "../../client/http";
import { out } from "../../output";
import { CHANGE_KINDS, DEFAULT_EVENT_PREFIX, fileEventName, prefixProblem } from "../../watch/file-event";
import { watch, type WatchNotice } from "../../watch/watcher";
import { apiClient } from "../api";
import { repeated } from "../args";
import { CliError, UsageError } from "../errors";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function sizeText(bytes: unknown): string {
  if (typeof bytes !== "number") return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One line per event the server took: `15:04:05  file.created  in/a.csv  1.2 KB`. */
export function sentLine(event: OutgoingEvent): string {
  const time = new Date(event.occurred).toTimeString().slice(0, 8);
  const size = sizeText(event.payload.size);
  return `${pc.dim(time)}  ${event.event}  ${String(event.payload.relative_path)}${size ? pc.dim(`  ${size}`) : ""}`;
}

function noticeLine(notice: WatchNotice): void {
  switch (notice.type) {
    case "unreachable":
      return out.warn(
        notice.error instanceof UnreachableError
          ? `Cannot reach the server at ${notice.error.url}; events wait and are sent when it is back.`
          : `The server failed (${message(notice.error)}); events wait and are sent when it answers.`,
      );
    case "resumed":
      return notice.dropped > 0
        ? out.warn(`The server is back; sending ${notice.waiting} waiting event(s). ${notice.dropped} event(s) were dropped meanwhile (too many waiting).`)
        : out.step(`The server is back; sending ${notice.waiting} waiting event(s).`);
    case "dropped":
      return out.warn(notice.reason === "full" ? "Too many events wait for the server: new ones are dropped until it is back." : `${notice.count} event(s) refused by the server as invalid.`);
    case "error":
      return out.warn(`Watching: ${message(notice.error)}`);
  }
}

function debounceFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || ms > 600_000) throw new UsageError(`--debounce expects milliseconds from 0 to 600000, got ${JSON.stringify(value)}`);
  return ms;
}

export const watchCommand = defineCommand({
  meta: { name: "baton watch", description: "Watch a folder and emit file.created / file.changed / file.deleted events" },
  args: {
    dir: { type: "positional", required: true, description: "The folder (watched with its subfolders)", valueHint: "dir" },
    event: { type: "string", description: `Name prefix of the events: <event>.created, .changed, .deleted (default ${DEFAULT_EVENT_PREFIX})`, valueHint: "name" },
    pattern: { type: "string", description: "Only files matching this glob, relative to the folder (*.csv matches at any depth); repeatable", valueHint: "glob" },
    debounce: { type: "string", description: "Report a file once it has been quiet this long (default 300)", valueHint: "ms" },
  },
  async run({ args, rawArgs }) {
    const client = apiClient();
    const patterns = repeated(rawArgs, "pattern");
    const problem = args.event === undefined ? undefined : prefixProblem(args.event);
    if (problem) throw new UsageError(`Invalid --event ${JSON.stringify(args.event)}: it ${problem}.`);
    // A server that is away is waited for; a URL where something other than Baton answers never will be.
    const api = await checkApi(client);
    if (!api.answers && api.error instanceof NotBatonApiError) throw api.error;
    const controller = new AbortController();
    let sent = 0;
    const watcher = await watch(args.dir, {
      event: args.event,
      pattern: patterns.length > 0 ? patterns : undefined,
      debounceMs: debounceFlag(args.debounce),
      signal: controller.signal,
      client,
      onSent(events) {
        sent += events.length;
        for (const e of events) out.info(sentLine(e));
      },
      onNotice: noticeLine,
    }).catch((error: unknown) => {
      throw error instanceof TypeError ? new CliError("E_NOT_A_FOLDER", `Cannot watch ${args.dir}: ${error.message.replace(/^watch: /, "")}.`) : error;
    });
    const prefix = args.event ?? DEFAULT_EVENT_PREFIX;
    out.success(`Watching ${pc.bold(watcher.root)}`);
    out.info(`  Events   ${CHANGE_KINDS.map((k) => fileEventName(prefix, k)).join(", ")}`);
    if (patterns.length > 0) out.info(`  Pattern  ${patterns.join(", ")}`);
    out.info(`  Server   ${client.config.apiUrl}`);
    out.info("  Stop     Ctrl-C");
    if (!api.answers) out.warn("No server answers yet; events wait and are sent when it does.");

    let stopping = false;
    const onSignal = (name: NodeJS.Signals) => {
      if (stopping) {
        out.warn(`Stopped at once (${name}); ${watcher.waiting} event(s) not sent.`);
        process.exit(130);
      }
      stopping = true;
      out.info(watcher.waiting > 0 ? `\nStopping: sending ${watcher.waiting} waiting event(s). Press Ctrl-C again to quit at once.` : "\nStopping.");
      controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const lost = await watcher.closed;
      if (lost > 0) throw new CliError("E_EVENTS_LOST", `Stopped watching; ${lost} event(s) could not be sent (the server did not take them in time).`);
      out.success(`Stopped watching ${watcher.root} (${sent} event${sent === 1 ? "" : "s"} sent).`);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});
