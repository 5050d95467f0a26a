import { describe, expect, it } from "vitest";
import { filtersFromParams, NO_FILTERS } from "./runs-filter";
import { createRunsPrefetch } from "./runs.prefetch";

function fakeClient() {
  const calls: { path: string; body: unknown }[] = [];
  return {
    calls,
    post: async <T,>(path: string, body?: unknown) => {
      calls.push({ path, body });
      return (path.endsWith("/count") ? 7 : [{ id: "r1" }]) as T;
    },
  };
}

describe("runs prefetch", () => {
  it("asks for the count and the first page of the URL's filters, and hands them to the page once", async () => {
    const client = fakeClient();
    const prefetch = createRunsPrefetch(client, () => 1_000);
    prefetch.start({ state: "FAILED" });
    expect(client.calls.map((c) => c.path)).toEqual(["/flow_runs/count", "/flow_runs/filter"]);
    expect(client.calls[1]!.body).toMatchObject({ flow_runs: { state: { type: { any_: ["FAILED"] } } }, sort: "EXPECTED_START_TIME_DESC", offset: 0, limit: 100 });
    const taken = prefetch.take(filtersFromParams({ state: "FAILED" }))!;
    expect(await taken.count).toBe(7);
    expect(await taken.page).toEqual([{ id: "r1" }]);
    expect(prefetch.take(filtersFromParams({ state: "FAILED" }))).toBeUndefined();
  });

  it("hands nothing for other filters, or when too old", () => {
    let now = 0;
    const prefetch = createRunsPrefetch(fakeClient(), () => now);
    prefetch.start({});
    expect(prefetch.take({ ...NO_FILTERS, tag: "x" })).toBeUndefined();
    prefetch.start({});
    now = 60_000;
    expect(prefetch.take(NO_FILTERS)).toBeUndefined();
  });

  it("keeps a failed request quiet until the page takes it, and then rejects there", async () => {
    const prefetch = createRunsPrefetch({ post: () => Promise.reject(new Error("down")) }, () => 0);
    prefetch.start({});
    await new Promise((r) => setTimeout(r, 0));
    await expect(prefetch.take(NO_FILTERS)!.count).rejects.toThrow("down");
  });
});
