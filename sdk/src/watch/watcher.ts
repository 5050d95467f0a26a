import { readdir, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { RESOURCE_ROLE } from "../../../protocol/events";
import { EventShipper, type OutgoingEvent } from "../client/event-shipper";
import { ApiClient, HttpError } from "../client/http";
import { buildEvent, hostResource } from "../runtime/event-build";
import { classify, type FileState } from "./changes";
import { Debouncer } from "./debounce";
import { DEFAULT_EVENT_PREFIX, eventOptions, fileEvent, fileEventName, prefixProblem, relativePath } from "./file-event";

export interface WatchOptions {
  /** Event names are `<event>.created`, `<event>.changed`, `<event>.deleted`; default `file`. */
  event?: string;
  /** Only files whose path relative to the folder matches (picomatch globs; a pattern without `/` matches the file name at any depth). */
  pattern?: string | string[];
  /** A file is reported once it has had no change for this long (default 300 ms): editors and copies write in several steps. */
  debounceMs?: number;
  /** Stops watching, as close() does. */
  signal?: AbortSignal;
  /** Events kept while the server is away (default 10,000); past it new ones are dropped, and said so. */
  maxWaiting?: number;
  /** Each batch of events the server took. */
  onSent?: (events: readonly OutgoingEvent[]) => void;
  /** The server went away or came back, events were dropped, the watcher hit an error. Default: printed on stderr. */
  onNotice?: (notice: WatchNotice) => void;
  /** The server's client; default from BATON_API_URL and BATON_API_KEY. */
  client?: ApiClient;
}

export type WatchNotice =
  | { type: "unreachable"; error: unknown; waiting: number }
  | { type: "resumed"; waiting: number; dropped: number }
  | { type: "dropped"; count: number; reason: "full" | "invalid" }
  | { type: "error"; error: unknown };

export interface Watcher {
  /** The watched folder, absolute. */
  readonly root: string;
  /** Events emitted and not yet taken by the server. */
  readonly waiting: number;
  /** Stops watching, reports what changed meanwhile and sends what waits (at most `timeoutMs`); answers events lost. */
  close(timeoutMs?: number): Promise<number>;
  /** Resolves when the watcher stopped (close() or the signal), with the events lost. */
  readonly closed: Promise<number>;
}

const DEFAULT_DEBOUNCE_MS = 300;
const DEFAULT_MAX_WAITING = 10_000;
/** When a new folder is read again for files chokidar may have missed (see the addDir handler). */
const RESCAN_AFTER_MS = [100, 1_000, 5_000];

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function printNotice(notice: WatchNotice): void {
  const text = {
    unreachable: () => `the server failed or cannot be reached; events wait and are sent when it is back (${message((notice as { error: unknown }).error)})`,
    resumed: () => "the server is back; waiting events are being sent",
    dropped: () => `${(notice as { count: number }).count} event(s) dropped (${(notice as { reason: string }).reason === "full" ? "too many waiting" : "refused by the server"})`,
    error: () => `watching failed: ${message((notice as { error: unknown }).error)}`,
  }[notice.type]();
  console.error(`Baton watch: ${text}`);
}

/**
 * Watches a folder and its subfolders and emits `file.created`, `file.changed` and `file.deleted` events
 * (see file-event.ts for their shape). Resolves once the files already there are known (they are not
 * reported). Events are batched and sent in the background, kept and retried while the server is away.
 */
export async function watch(dir: string, options: WatchOptions = {}): Promise<Watcher> {
  const root = resolve(dir);
  const prefix = options.event ?? DEFAULT_EVENT_PREFIX;
  const problem = prefixProblem(prefix);
  if (problem) throw new TypeError(`watch: event ${JSON.stringify(prefix)} ${problem}`);
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  if (!(Number.isFinite(debounceMs) && debounceMs >= 0)) throw new TypeError("watch: debounceMs must be a number of milliseconds, 0 or more");
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new TypeError(`watch: ${root} is not a folder`);
  const patterns = options.pattern === undefined ? [] : [options.pattern].flat();
  // Loaded on use, as chokidar below: a flow that imports "baton" does not pay for the watcher.
  const { default: picomatch } = await import("picomatch");
  const matches = patterns.length === 0 ? () => true : picomatch(patterns, { dot: true, basename: true });
  const notice = options.onNotice ?? printNotice;
  const related = [{ ...hostResource(), [RESOURCE_ROLE]: "host" }];

  let outage = false;
  let droppedInOutage = 0;
  const shipper = new EventShipper(options.client ?? new ApiClient(), {
    maxQueue: options.maxWaiting ?? DEFAULT_MAX_WAITING,
    onError(error) {
      if (error instanceof HttpError && error.status < 500 && error.status !== 429) return notice({ type: "error", error });
      if (outage) return;
      outage = true;
      notice({ type: "unreachable", error, waiting: shipper.pending });
    },
    onSent(batch, afterFailures) {
      if (outage && afterFailures > 0) {
        outage = false;
        notice({ type: "resumed", waiting: shipper.pending + batch.length, dropped: droppedInOutage });
        droppedInOutage = 0;
      }
      options.onSent?.(batch);
    },
    onDrop(count, reason) {
      // While the server is away, the first drop is said at once and the total when it is back.
      if (reason === "full" && droppedInOutage++ > 0) return;
      notice({ type: "dropped", count, reason });
    },
  });

  const known = new Map<string, FileState>();
  const lastSeen = new Map<string, number>();
  // Settled one at a time, in order, so two quick changes of one path never overwrite each other's state.
  let settling = Promise.resolve();
  const settle = (path: string) => {
    settling = settling.then(async () => {
      let now: FileState | undefined;
      try {
        const s = await stat(path);
        if (s.isFile()) now = { size: s.size, mtimeMs: s.mtimeMs };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "ENOTDIR") return notice({ type: "error", error });
      }
      const change = classify(known.get(path), now);
      if (now) known.set(path, now);
      else known.delete(path);
      const occurred = new Date(lastSeen.get(path) ?? Date.now());
      lastSeen.delete(path);
      if (!change) return;
      shipper.push(buildEvent(fileEventName(prefix, change), eventOptions(fileEvent(root, path, change, now), occurred, related), undefined));
    });
    // A path the server could not take as a label (over 1,024 characters) is said, and the others go on.
    settling = settling.catch((error: unknown) => notice({ type: "error", error }));
  };
  const debouncer = new Debouncer<string>(debounceMs, settle);
  const touch = (path: string) => {
    lastSeen.set(path, Date.now());
    debouncer.touch(path);
  };

  const wanted = (path: string) => matches(relativePath(root, path));
  const { watch: chokidar } = await import("chokidar");
  let ready = false;
  const fsw = chokidar(root, {
    ignoreInitial: false,
    alwaysStat: true,
    // Files the pattern excludes are not even watched; folders are, for the files in them.
    ignored: (path, stats) => !!stats?.isFile() && !wanted(path),
  });
  fsw.on("add", (path, stats) => {
    if (!wanted(path)) return;
    // The files there at the start are known, not reported.
    if (!ready) {
      if (stats) known.set(path, { size: stats.size, mtimeMs: stats.mtimeMs });
      return;
    }
    touch(path);
  });
  fsw.on("change", (path) => ready && wanted(path) && touch(path));
  fsw.on("unlink", (path) => ready && wanted(path) && touch(path));
  // A folder removed at once may not report each file in it: what was known under it is looked at again.
  fsw.on("unlinkDir", (dirPath) => {
    for (const path of known.keys()) if (path.startsWith(dirPath + sep)) touch(path);
  });
  // chokidar reads a new folder before it watches it, so a file written in between is never reported
  // (paulmillr/chokidar#1112, #1471, still so in v5): a folder that appears is read again a few times
  // once chokidar watches it, and a file found there that nobody reported is reported as created.
  const lookAgain = new Set<NodeJS.Timeout>();
  const missedIn = async (dirPath: string) => {
    const entries = await readdir(dirPath, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dirPath, entry.name);
      if (entry.isFile() && wanted(path) && !known.has(path) && !debouncer.has(path)) touch(path);
    }
  };
  fsw.on("addDir", (dirPath) => {
    if (!ready) return;
    for (const ms of RESCAN_AFTER_MS) {
      const timer = setTimeout(() => {
        lookAgain.delete(timer);
        void missedIn(dirPath);
      }, ms);
      lookAgain.add(timer);
    }
  });
  fsw.on("error", (error) => notice({ type: "error", error }));
  await new Promise<void>((r) => fsw.once("ready", () => r()));
  ready = true;

  let closing: Promise<number> | undefined;
  const close = (timeoutMs = 10_000) =>
    (closing ??= (async () => {
      await fsw.close();
      for (const timer of lookAgain) clearTimeout(timer);
      debouncer.fireAll();
      await settling;
      return shipper.close(timeoutMs);
    })());
  let closedResolve: (lost: number) => void = () => {};
  const closed = new Promise<number>((r) => (closedResolve = r));
  const closeAndTell = (timeoutMs?: number) => close(timeoutMs).then((lost) => (closedResolve(lost), lost));
  if (options.signal?.aborted) void closeAndTell();
  options.signal?.addEventListener("abort", () => void closeAndTell(), { once: true });

  return {
    root,
    get waiting() {
      return shipper.pending + debouncer.size;
    },
    close: closeAndTell,
    closed,
  };
}
