import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { locateServerDir, resolveServerDir } from "./server-dir";

const repoRoot = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

describe("the server dir", () => {
  it("is the repository around the sdk package by default", () => {
    expect(resolveServerDir({})).toBe(repoRoot);
    expect(locateServerDir({})).toEqual({ root: repoRoot, wranglerConfig: join(repoRoot, "wrangler.toml") });
  });

  it("is BATON_SERVER_DIR when set", () => {
    expect(resolveServerDir({ BATON_SERVER_DIR: "/srv/baton" }, "/ignored/sdk")).toBe("/srv/baton");
  });

  it("must contain wrangler.toml", async () => {
    const empty = await mkdtemp(join(tmpdir(), "baton-server-dir-"));
    try {
      expect(() => locateServerDir({ BATON_SERVER_DIR: empty })).toThrow(
        expect.objectContaining({ code: "E_NO_SERVER_CONFIG" }),
      );
    } finally {
      await rm(empty, { recursive: true });
    }
  });
});
