import { describe, expect, it } from "vitest";
import { generateRunName } from "./run-names";

describe("generateRunName", () => {
  it("makes adjective-animal names, pinned by the random source", () => {
    expect(generateRunName(() => 0)).toBe("agile-albatross");
    expect(generateRunName(() => 0.999999)).toBe("zealous-wombat");
    const names = new Set(Array.from({ length: 200 }, () => generateRunName()));
    expect([...names].every((n) => /^[a-z]+-[a-z]+$/.test(n))).toBe(true);
    expect(names.size).toBeGreaterThan(100);
  });
});
