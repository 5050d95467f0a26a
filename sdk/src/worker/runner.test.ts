import { describe, expect, it } from "vitest";
import { noEntrypointMessage } from "./runner";

describe("a run with nothing to start from", () => {
  it("says its deployment was deleted when the run has none any more", () => {
    expect(noEntrypointMessage(null, undefined)).toMatch(/^The run's deployment was deleted/);
    expect(noEntrypointMessage(null, undefined)).not.toContain("(none)");
  });

  it("says a deployment without an entrypoint is served or was created without one", () => {
    expect(noEntrypointMessage("d-1", "nightly")).toMatch(/^Deployment nightly has no entrypoint: it is served by flow.serve\(\)/);
  });
});
