import { describe, expect, it } from "vitest";
import { parseOptions, resultFiles } from "./options";

const known = ["dispatch", "overhead", "ingest", "fanin"];

describe("parseOptions", () => {
  it("defaults to a full pass of everything, writing results", () => {
    expect(parseOptions([], known)).toEqual({ quick: false, only: null, check: false, updateBaseline: false, write: true, help: false, list: false });
  });

  it("reads --quick, --check, --update-baseline and --no-write", () => {
    expect(parseOptions(["--quick", "--check", "--update-baseline", "--no-write"], known)).toMatchObject({ quick: true, check: true, updateBaseline: true, write: false });
  });

  it("takes --only as a comma list, repeated or not, without duplicates", () => {
    expect(parseOptions(["--only", "dispatch,overhead"], known).only).toEqual(["dispatch", "overhead"]);
    expect(parseOptions(["--only=ingest", "--only", "fanin,ingest"], known).only).toEqual(["ingest", "fanin"]);
  });

  it("refuses unknown benchmarks, an empty --only, unknown flags and stray arguments", () => {
    expect(() => parseOptions(["--only", "dispach"], known)).toThrow("unknown benchmark dispach; there are: dispatch, overhead, ingest, fanin");
    expect(() => parseOptions(["--only", ","], known)).toThrow("--only needs benchmark names");
    expect(() => parseOptions(["--fast"], known)).toThrow();
    expect(() => parseOptions(["dispatch"], known)).toThrow('unexpected argument "dispatch"');
  });
});

describe("resultFiles", () => {
  it("keeps RESULTS.md for a full pass of every benchmark; quick and partial passes write files of their own", () => {
    expect(resultFiles({ quick: false, only: null })).toEqual({ markdown: "RESULTS.md", json: "results.json" });
    expect(resultFiles({ quick: true, only: null })).toEqual({ markdown: "RESULTS.quick.md", json: "results.quick.json" });
    expect(resultFiles({ quick: true, only: ["dispatch"] })).toEqual({ markdown: "RESULTS.quick.md", json: "results.quick.json" });
    expect(resultFiles({ quick: false, only: ["dispatch"] })).toEqual({ markdown: "RESULTS.partial.md", json: "results.partial.json" });
  });
});
