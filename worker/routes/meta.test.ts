import { describe, expect, it } from "vitest";
import { api } from "../test/http";

describe("meta routes", () => {
  it("answers health and version", async () => {
    expect((await api("GET", "/health")).body).toEqual({ status: "ok", version: expect.any(String) });
    expect((await api("GET", "/admin/version")).body).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("serves an OpenAPI document generated from the valibot schemas", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers).toEqual([{ url: "/api" }]);
    const create = doc.paths["/flows"].post;
    expect(create.requestBody.content["application/json"].schema.properties.name).toMatchObject({ type: "string", maxLength: 200 });
    expect(create.responses["400"].content["application/json"].schema.required).toEqual(["detail"]);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await api("GET", "/nope");
    expect(res.status).toBe(404);
    expect(res.body.detail).toContain("/api/nope");
  });
});
