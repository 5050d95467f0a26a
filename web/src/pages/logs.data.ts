import { createMemo, createSignal } from "solid-js";
import type { Log } from "../../../protocol/logs";
import { api } from "../api/client";
import { mergeLogs } from "./run-detail-merge";

export const LOG_PAGE = 1_000;
/** Lines with the same millisecond as the last one loaded may still be arriving; ask again from just before it. */
const OVERLAP_MS = 1;

const before = (iso: string) => new Date(Date.parse(iso) - OVERLAP_MS).toISOString();

/**
 * A flow run's log lines: loaded a page at a time from the oldest, with newer lines fetched when the
 * stream says some were stored. Level filters on the server; search filters the loaded lines.
 */
export function createLogs(flowRunId: string) {
  const [lines, setLines] = createSignal<Log[]>([]);
  const [minLevel, setMinLevel] = createSignal(0);
  const [search, setSearch] = createSignal("");
  const [follow, setFollow] = createSignal(true);
  const [error, setError] = createSignal<string>();
  const [loading, setLoading] = createSignal(false);
  /** More stored lines than loaded: the reader pages on with "Load more" rather than the stream pulling them all. */
  const [more, setMore] = createSignal(false);
  let generation = 0;
  let inFlight = false;
  let again = false;

  async function fetchNewer(gen: number) {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    setLoading(true);
    try {
      const last = lines().at(-1)?.timestamp;
      const page = await api.post<Log[]>("/logs/filter", {
        logs: {
          flow_run_id: { any_: [flowRunId] },
          ...(minLevel() > 0 ? { level: { ge_: minLevel() } } : {}),
          ...(last ? { timestamp: { after_: before(last) } } : {}),
        },
        sort: "TIMESTAMP_ASC",
        limit: LOG_PAGE,
      });
      if (gen !== generation) return;
      setLines((loaded) => mergeLogs(loaded, page));
      setMore(page.length === LOG_PAGE);
      setError(undefined);
    } catch (e) {
      if (gen === generation) setError(e instanceof Error ? e.message : String(e));
    } finally {
      inFlight = false;
      setLoading(false);
      if (again && gen === generation) {
        again = false;
        void fetchNewer(gen);
      }
    }
  }

  const reload = () => {
    generation++;
    inFlight = false;
    again = false;
    setLines([]);
    void fetchNewer(generation);
  };
  reload();

  const shown = createMemo(() => {
    const needle = search().trim().toLowerCase();
    return needle ? lines().filter((l) => l.message.toLowerCase().includes(needle) || l.name.toLowerCase().includes(needle)) : lines();
  });

  return {
    lines: shown,
    total: () => lines().length,
    minLevel,
    setMinLevel: (level: number) => {
      setMinLevel(level);
      reload();
    },
    search,
    setSearch,
    follow,
    setFollow,
    error,
    loading,
    more,
    loadMore: () => void fetchNewer(generation),
    /** The stream says lines were stored: fetch them, unless the reader is still paging through older ones. */
    newLinesStored: () => {
      if (!more()) void fetchNewer(generation);
    },
    reload,
  };
}

export type Logs = ReturnType<typeof createLogs>;
