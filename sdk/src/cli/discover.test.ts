import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkBaton, repoRoot, writeProject } from "../testing/cli";
import { candidateFiles, discoverFlows, isSdkSpecifier } from "./discover";

/*
 * Each fixture's top-level code writes a marker file beside its directory, then throws, as a script run
 * by mistake would act: discovery must list their flows without either happening. The files import the
 * real SDK (node_modules/baton links to it), so importing them would run that code.
 */
let project: string;
const fn = "async () => {}";
const script = (file: string, body: string) =>
  `import { writeFileSync } from "node:fs";\n${body}\n` +
  `writeFileSync(new URL("../ran.txt", import.meta.url), ${JSON.stringify(file)}, { flag: "a" });\nthrow new Error("ran ${file}");\n`;

beforeAll(async () => {
  project = await writeProject({
    // export const x = flow(name, fn, options), several in one statement, one computed, one typed with `as`
    "flows/consts.ts": script(
      "consts.ts",
      [
        'import { flow, type Flow } from "baton";',
        `export const hello = flow("hello-flow", ${fn}, { retries: 1 });`,
        `export const tagged = flow(\`tagged-flow\`, ${fn}), computed = flow(\`flow-\${process.pid}\`, ${fn});`,
        `export const typed = flow("typed-flow", ${fn}) as Flow;`,
        `const hidden = flow("hidden-flow", ${fn});`,
        'export const notAFlow = String("flow");',
      ].join("\n"),
    ),
    // export default flow(...)
    "flows/default.ts": script("default.ts", `import { flow } from "baton";\nexport default flow("default-flow", ${fn});`),
    // const x = flow(...) exported by `export { x }`, `export { x as y }` (before the const), `export default x`
    "flows/lists.ts": script(
      "lists.ts",
      [
        'import { flow as f } from "baton";',
        "export { late as renamed, early };",
        `const early = f("early-flow", ${fn});`,
        `const late = f("late-flow", ${fn});`,
        `const twice = f("twice-flow", ${fn});`,
        "export default twice;",
        "export { twice as alsoTwice };",
      ].join("\n"),
    ),
    // flow through a namespace import, and from the SDK's own path
    "flows/namespace.ts": script("namespace.ts", `import * as baton from "baton";\nexport const ns = baton.flow("ns-flow", ${fn});`),
    "flows/sdk-path.mts": script(
      "sdk-path.mts",
      `import { flow } from ${JSON.stringify(join(repoRoot, "sdk/src/runtime/flow.ts"))};\nexport const direct = flow("direct-flow", ${fn});`,
    ),
    // Not flows: a function of its own called flow, and a type-only import of the SDK's
    "flows/own-flow.ts": script("own-flow.ts", `const flow = (name: string, fn: () => void) => ({ name, fn });\nexport const mine = flow("mine", () => {});`),
    "flows/type-only.ts": script("type-only.ts", `import type { flow } from "baton";\nexport const declared = null as unknown as ReturnType<typeof flow>;`),
    "flows/broken.ts": script("broken.ts", `import { flow } from "baton";\nexport const broken = flow("broken-flow", async () => {\n  return [1, 2;\n});`),
    "flows/plain.ts": "export const x = 1;\n",
    "flows/hello.test.ts": script("hello.test.ts", `import { flow } from "baton";\nexport const t = flow("test-flow", ${fn});`),
    "dist/built.ts": script("built.ts", `import { flow } from "baton";\nexport const b = flow("built-flow", ${fn});`),
    ".hidden/h.ts": script("h.ts", `import { flow } from "baton";\nexport const h = flow("hidden-dir-flow", ${fn});`),
  });
  await linkBaton(project);
});
afterAll(() => rm(project, { recursive: true, force: true }));

describe("discovery", () => {
  it("looks only at the project's own TypeScript files that mention flow", async () => {
    const files = (await candidateFiles(project)).map((f) => f.slice(project.length + 1));
    expect(files).toEqual(["broken.ts", "consts.ts", "default.ts", "lists.ts", "namespace.ts", "own-flow.ts", "sdk-path.mts", "type-only.ts"].map((f) => join("flows", f)));
  });

  it("lists every exported flow, by export and name, without running any file", async () => {
    const { flows, failed } = await discoverFlows(project);
    expect(existsSync(join(project, "ran.txt"))).toBe(false);
    expect(flows.map((f) => [f.entrypoint, f.exportName, f.name])).toEqual([
      ["flows/consts.ts:hello", "hello", "hello-flow"],
      ["flows/consts.ts:tagged", "tagged", "tagged-flow"],
      ["flows/consts.ts:computed", "computed", undefined],
      ["flows/consts.ts:typed", "typed", "typed-flow"],
      ["flows/default.ts:default", "default", "default-flow"],
      ["flows/lists.ts:early", "early", "early-flow"],
      ["flows/lists.ts:renamed", "renamed", "late-flow"],
      // Exported twice: listed once, by its named export.
      ["flows/lists.ts:alsoTwice", "alsoTwice", "twice-flow"],
      ["flows/namespace.ts:ns", "ns", "ns-flow"],
      ["flows/sdk-path.mts:direct", "direct", "direct-flow"],
    ]);
    expect(failed).toEqual([{ file: join("flows", "broken.ts"), reason: "syntax error at 4:15: ',' expected." }]);
  });
});

describe("isSdkSpecifier", () => {
  const file = join(repoRoot, "sdk/src/cli/some.ts");
  it("accepts the package and the SDK's modules by relative or absolute path, with or without extension", () => {
    for (const specifier of ["baton", "../runtime", "../runtime/flow", "../runtime/flow.js", "../runtime/flow.ts", "../index.ts", "..", join(repoRoot, "sdk/src/runtime/flow.ts")]) {
      expect([specifier, isSdkSpecifier(file, specifier)]).toEqual([specifier, true]);
    }
  });
  it("refuses other modules", () => {
    for (const specifier of ["baton-extra", "./discover", "../runtime/task", "node:fs", "../nope"]) {
      expect([specifier, isSdkSpecifier(file, specifier)]).toEqual([specifier, false]);
    }
  });
});
