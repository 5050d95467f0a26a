import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeFlowModule, writeProject } from "../testing/cli";
import { parseEntrypoint, loadEntrypoint } from "./entrypoint";
import { CliError, UsageError } from "./errors";

let project: string;

beforeAll(async () => {
  project = await writeProject({
    "flows/hello.ts": fakeFlowModule({ helloFlow: "hello-flow" }) + "export default helloFlow;\n",
    "flows/two.mts": fakeFlowModule({ first: "first-flow", second: "second-flow" }),
    "flows/broken.ts": "throw new Error('cannot load me');\n",
    "flows/plain.ts": "export const x = 1;\n",
  });
});
afterAll(() => rm(project, { recursive: true, force: true }));

describe("parseEntrypoint", () => {
  it("splits the file from the export name, which may be left out", () => {
    expect(parseEntrypoint("flows/hello.ts:helloFlow")).toEqual({ file: "flows/hello.ts", exportName: "helloFlow" });
    expect(parseEntrypoint("flows/hello.ts")).toEqual({ file: "flows/hello.ts", exportName: undefined });
    expect(parseEntrypoint("C:\\p\\hello.ts")).toEqual({ file: "C:\\p\\hello.ts", exportName: undefined });
    expect(() => parseEntrypoint("flows/hello.ts:")).toThrow(UsageError);
    expect(() => parseEntrypoint(":x")).toThrow(UsageError);
  });
});

describe("loadEntrypoint", () => {
  it("finds the named flow and gives its entrypoint relative to the project", async () => {
    const found = await loadEntrypoint(project, "flows/hello.ts:helloFlow");
    expect(found.flow.name).toBe("hello-flow");
    expect(found.entrypoint).toBe("flows/hello.ts:helloFlow");
    expect((await loadEntrypoint(project, "flows/hello.ts:default")).entrypoint).toBe("flows/hello.ts:default");
  });

  it("takes the only flow of a file when no export is named, and asks when there are several", async () => {
    expect((await loadEntrypoint(project, "./flows/hello.ts")).entrypoint).toBe("flows/hello.ts:helloFlow");
    await expect(loadEntrypoint(project, "flows/two.mts")).rejects.toThrow("flows/two.mts exports 2 flows; say which one as flows/two.mts:exportName");
  });

  it("says what is wrong with an entrypoint that does not name a flow", async () => {
    const error = (text: string) => loadEntrypoint(project, text).catch((e: unknown) => e as CliError);
    expect(await error("flows/nope.ts:x")).toMatchObject({ code: "E_ENTRYPOINT_NOT_FOUND" });
    expect(await error("flows/hello.ts:nope")).toMatchObject({ code: "E_FLOW_NOT_FOUND", message: "flows/hello.ts has no export nope." });
    expect(await error("flows/hello.ts:notAFlow")).toMatchObject({ code: "E_NOT_A_FLOW", options: { hint: "Flows it exports: flows/hello.ts:helloFlow" } });
    expect(await error("flows/plain.ts")).toMatchObject({ code: "E_FLOW_NOT_FOUND" });
    expect(await error("flows/broken.ts:x")).toMatchObject({ code: "E_ENTRYPOINT_IMPORT", message: "Could not import flows/broken.ts: cannot load me" });
  });
});
