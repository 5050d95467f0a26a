import { describe, expect, it } from "vitest";
import { api } from "../test/http";

describe("flows", () => {
  it("creates a flow once per name, answering the same flow to every creator", async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => api("POST", "/flows/", { name: "etl", tags: ["a"] })));
    const ids = new Set(answers.map((a) => a.body.id));
    // Prefect's answer: 201 to the one request that created it, 200 to the others.
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(ids.size).toBe(1);
    const listed = await api("POST", "/flows/filter", { flows: { name: { any_: ["etl"] } } });
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({ name: "etl", tags: ["a"] });
  });

  it("reads by id and by name, and filters by tags and name", async () => {
    const a = (await api("POST", "/flows", { name: "alpha", tags: ["x", "y"] })).body;
    await api("POST", "/flows", { name: "beta", tags: ["x"] });
    expect((await api("GET", `/flows/${a.id}`)).body.name).toBe("alpha");
    expect((await api("GET", "/flows/name/alpha")).body.id).toBe(a.id);
    const both = await api("POST", "/flows/filter", { flows: { tags: { all_: ["x", "y"] } } });
    expect(both.body.map((f: { name: string }) => f.name)).toEqual(["alpha"]);
    const like = await api("POST", "/flows/filter", { flows: { name: { like_: "lph" } }, sort: "NAME_DESC" });
    expect(like.body.map((f: { name: string }) => f.name)).toEqual(["alpha"]);
    const named = { flows: { name: { any_: ["alpha", "beta"] } } };
    expect((await api("POST", "/flows/count", named)).body).toBe(2);
  });

  it("answers 404 for unknown flows and 422 for malformed ids", async () => {
    const missing = await api("GET", "/flows/9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11");
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain("not found");
    const bad = await api("GET", "/flows/not-a-uuid");
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("path.id");
    expect((await api("GET", "/flows/name/nope")).status).toBe(404);
  });

  it("rejects bad names with 422 and writes nothing", async () => {
    const before = (await api("POST", "/flows/count", {})).body;
    for (const name of ["", "a/b", 42, "x".repeat(201)]) {
      const res = await api("POST", "/flows/", { name });
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/name/);
    }
    expect((await api("POST", "/flows/count", {})).body).toBe(before);
  });

  it("stays under D1's 100 bound parameters with every list of a filter full", async () => {
    const ids = Array.from({ length: 90 }, () => crypto.randomUUID());
    const flows = { id: { any_: ids }, name: { any_: ids.map((_, i) => `n${i}`) }, tags: { all_: ids.slice(0, 50) } };
    expect(await api("POST", "/flows/filter", { flows })).toMatchObject({ status: 200, body: [] });
    expect(await api("POST", "/flows/count", { flows })).toMatchObject({ status: 200, body: 0 });
  });

  it("matches like_ as a case-insensitive substring, literally and past D1's 50-byte LIKE patterns", async () => {
    const long = `Long-${"x".repeat(120)}-${crypto.randomUUID()}`;
    const flows = [`a_c-${long}`, `abc-${long}`];
    for (const name of flows) await api("POST", "/flows/", { name });
    const names = async (like_: string) =>
      (await api("POST", "/flows/filter", { flows: { name: { like_ } } })).body.map((f: { name: string }) => f.name);
    expect(await names(long.toLowerCase())).toEqual(flows);
    expect(await names(`a_c-${long}`)).toEqual([flows[0]]);
  });

  it("deletes a flow", async () => {
    const f = (await api("POST", "/flows/", { name: "gone" })).body;
    expect((await api("DELETE", `/flows/${f.id}`)).status).toBe(204);
    expect((await api("GET", `/flows/${f.id}`)).status).toBe(404);
    expect((await api("DELETE", `/flows/${f.id}`)).status).toBe(404);
  });
});
