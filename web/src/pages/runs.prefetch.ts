import type { FlowRun } from "../../../protocol/flow-runs";
import { api, type ApiClient } from "../api/client";
import { PAGE_SIZE } from "./runs-pager";
import { filterBody, filtersFromParams, type RunFilters } from "./runs-filter";

/*
 * The Runs page's first two requests (the count and the first page), started by the router's preload as
 * soon as /runs is the destination, so that they travel while the page's code downloads instead of after
 * it: on a first visit, one round trip less before the first row shows. The page takes them once, if they
 * are for its filters and recent; otherwise it asks again.
 */

const FRESH_MS = 30_000;

export interface FirstRequests {
  count: Promise<number>;
  page: Promise<FlowRun[]>;
  /** When they were asked: the time range's upper bound they used (runs-filter.ts). */
  at: number;
}

type Params = Parameters<typeof filtersFromParams>[0];

const keyOf = (filters: RunFilters) => JSON.stringify(filters);

/** The body of the first page's request for these filters. */
export const firstPageBody = (filters: RunFilters, now: number) => ({
  ...filterBody(filters, now),
  sort: "EXPECTED_START_TIME_DESC" as const,
  offset: 0,
  limit: PAGE_SIZE,
});

export function createRunsPrefetch(client: Pick<ApiClient, "post">, clock: () => number = Date.now) {
  let waiting: ({ key: string; at: number } & FirstRequests) | undefined;
  return {
    /** Starts the requests for the filters of a /runs URL's query. */
    start(query: Params): void {
      const filters = filtersFromParams(query);
      const now = clock();
      const count = client.post<number>("/flow_runs/count", filterBody(filters, now));
      const page = client.post<FlowRun[]>("/flow_runs/filter", firstPageBody(filters, now));
      // Not taken (the page failed to load, or asked with other filters): their failure is nobody's business.
      count.catch(() => {});
      page.catch(() => {});
      waiting = { key: keyOf(filters), at: now, count, page };
    },
    /** The requests started for exactly these filters, recently; each start is handed out once. */
    take(filters: RunFilters): FirstRequests | undefined {
      const found = waiting;
      waiting = undefined;
      if (!found || found.key !== keyOf(filters) || clock() - found.at > FRESH_MS) return undefined;
      return { count: found.count, page: found.page, at: found.at };
    },
  };
}

/** The app's: started by the /runs route's preload (routes.tsx), taken by the Runs list (runs.data.ts). */
export const runsPrefetch = createRunsPrefetch(api);
