#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx baton` works in the repo without a build step.
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  console.error(
    `baton needs Node.js 22 or newer, but this is Node.js ${process.versions.node}. ` +
      "Run it through npm in the project (`npx baton ...` or an npm script such as `npm start`): " +
      "they put node_modules/.bin first on PATH, where the project's own Node.js 24 is.",
  );
  process.exit(1);
}
// Imported only after the version check, so old Node versions reach the message above.
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv.slice(2));
