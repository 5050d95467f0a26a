import { describe, expect, it } from "vitest";
import { needsKey, normalisePath } from "./paths";

describe("needsKey", () => {
  it.each([
    "/api/flows",
    "/api/flows/",
    "//api/flows",
    "/api//flows",
    "/%61pi/flows",
    "/%2561pi/flows",
    "/API/flows",
    "/api",
    "/api/",
    "/api/health/../flows",
    "/api/health/x",
    "/api\\flows",
    "/api/work_pools/p/connect",
  ])("protects %s", (path) => expect(needsKey(path)).toBe(true));

  it.each(["/api/health", "/api/health/", "//api//health", "/", "/runs", "/assets/index.js", "/apiary"])(
    "leaves %s open",
    (path) => expect(needsKey(path)).toBe(false),
  );

  it("normalises doubled and trailing slashes and encoding", () => {
    expect(normalisePath("//api///flows//")).toBe("/api/flows");
    expect(normalisePath("/%E0%A4%A")).toBe("/%e0%a4%a");
  });
});
