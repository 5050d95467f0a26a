import { describe, expect, it } from "vitest";
import { classify } from "./changes";
import { fileEvent, fileEventName, prefixProblem, relativePath } from "./file-event";

const state = (size: number, mtimeMs: number) => ({ size, mtimeMs });

describe("classify", () => {
  it("tells created, changed and deleted from the states before and after the quiet moment", () => {
    expect(classify(undefined, state(3, 1))).toBe("created");
    expect(classify(state(3, 1), state(4, 1))).toBe("changed");
    expect(classify(state(3, 1), state(3, 2))).toBe("changed");
    expect(classify(state(3, 1), undefined)).toBe("deleted");
  });

  it("reports nothing for a file that came and went, or a notification that changed nothing", () => {
    expect(classify(undefined, undefined)).toBeUndefined();
    expect(classify(state(3, 1), state(3, 1))).toBeUndefined();
  });
});

describe("file events", () => {
  it("are named <prefix>.<change>, and a prefix must make valid names", () => {
    expect(fileEventName("file", "created")).toBe("file.created");
    expect(fileEventName("invoices", "deleted")).toBe("invoices.deleted");
    expect(prefixProblem("invoices")).toBeUndefined();
    expect(prefixProblem("invoices.")).toMatch(/must not end with '.'/);
    expect(prefixProblem("in voices")).toMatch(/spaces/);
  });

  it("are about the file by its absolute path, with its details in the payload", () => {
    const e = fileEvent("/data/in", "/data/in/2026/a.csv", "created", state(12, Date.parse("2026-11-25T10:00:00Z")));
    expect(e).toEqual({
      change: "created",
      path: "/data/in/2026/a.csv",
      relative_path: "2026/a.csv",
      size: 12,
      modified: "2026-11-25T10:00:00.000Z",
      resource: { "baton.resource.id": "file./data/in/2026/a.csv", "baton.resource.name": "a.csv" },
    });
    expect(fileEvent("/data/in", "/data/in/a.csv", "deleted", undefined)).toMatchObject({ size: null, modified: null });
    expect(relativePath("/data/in", "/data/in/x/y/z.txt")).toBe("x/y/z.txt");
  });
});
