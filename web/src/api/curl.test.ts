import { describe, expect, it } from "vitest";
import { curlCommand } from "./curl";

describe("curlCommand", () => {
  it("builds a GET", () => {
    expect(curlCommand("http://127.0.0.1:4200", "GET", "/health")).toBe("curl -s http://127.0.0.1:4200/api/health");
  });

  it("builds a POST with a JSON body, quoting single quotes for the shell", () => {
    expect(curlCommand("http://h", "POST", "/flows/filter", { flows: { name: { like_: "it's" } } })).toBe(
      `curl -s -X POST http://h/api/flows/filter -H 'content-type: application/json' -d '{"flows":{"name":{"like_":"it'\\''s"}}}'`,
    );
  });

  it("builds a POST without a body", () => {
    expect(curlCommand("http://h", "POST", "/auth/ticket")).toBe("curl -s -X POST http://h/api/auth/ticket");
  });
});
