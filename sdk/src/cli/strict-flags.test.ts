import { defineCommand } from "citty";
import { describe, expect, it } from "vitest";
import { unknownFlag } from "./strict-flags";

const command = defineCommand({
  args: {
    name: { type: "positional" },
    "create-pool": { type: "boolean" },
    interval: { type: "string" },
    follow: { type: "boolean", alias: "f" },
  },
});

describe("unknownFlag", () => {
  it("accepts the command's flags in every spelling citty accepts", async () => {
    const ok = ["deploy", "x", "--create-pool", "--createPool", "--no-create-pool", "--interval", "60", "--interval=60", "-f", "--follow"];
    expect(await unknownFlag(command, ok)).toBeUndefined();
  });

  it("names the first flag the command does not define", async () => {
    expect(await unknownFlag(command, ["x", "--intervall", "60", "--nope"])).toBe("--intervall");
    expect(await unknownFlag(command, ["x", "--param=a=1"])).toBe("--param");
    expect(await unknownFlag(command, ["x", "-x"])).toBe("-x");
  });

  it("takes what follows a value flag, and negative numbers, as values", async () => {
    expect(await unknownFlag(command, ["x", "--interval", "-5"])).toBeUndefined();
    expect(await unknownFlag(command, ["x", "-1"])).toBeUndefined();
  });

  it("stops at --", async () => {
    expect(await unknownFlag(command, ["x", "--", "--anything"])).toBeUndefined();
  });
});
