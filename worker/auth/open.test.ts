import { describe, expect, it } from "vitest";
import { api } from "../test/http";

describe("a server without a key", () => {
  it("is open, and hands out no WebSocket tickets", async () => {
    expect((await api("GET", "/admin/version")).status).toBe(200);
    expect((await api("POST", "/auth/ticket")).body).toEqual({ ticket: null, expires: null });
  });

  it("turns authentication on once a key is stored in D1, and off when it is deleted", async () => {
    const created = await api("POST", "/api_keys/", { name: "ci" });
    expect(created.status).toBe(201);
    const { id, key } = created.body;
    expect(created.body.last_used).toBeNull();
    try {
      expect((await api("GET", "/admin/version")).status).toBe(401);
      expect((await api("GET", "/admin/version", undefined, { authorization: `Bearer ${key}x` })).status).toBe(401);
      expect((await api("GET", "/admin/version", undefined, { authorization: `Bearer ${key}` })).status).toBe(200);
      const listed = await api("GET", "/api_keys", undefined, { authorization: `Bearer ${key}` });
      expect(listed.body).toEqual([expect.objectContaining({ id, name: "ci", prefix: key.slice(0, 8), last_used: expect.any(String) })]);
      expect(JSON.stringify(listed.body)).not.toContain(key);
      expect((await api("GET", "/health")).status).toBe(200);
    } finally {
      expect((await api("DELETE", `/api_keys/${id}`, undefined, { authorization: `Bearer ${key}` })).status).toBe(204);
    }
    expect((await api("GET", "/admin/version")).status).toBe(200);
  });
});
