// The browser tests drive Debian's Chromium (Playwright cannot download its own browsers here).
// `npm test` runs this first: on a fresh machine it installs Chromium when it may (root), else says how.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    console.error(`${CHROMIUM} is missing: install it with \`sudo apt-get update && sudo apt-get install -y chromium\`, then run npm test again.`);
    process.exit(1);
  }
  console.log("Installing Chromium for the browser tests (apt-get install chromium)…");
  for (const args of [["update"], ["install", "-y", "chromium"]]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
