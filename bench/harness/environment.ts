/** The machine, versions and commit a run was measured on, for the header of RESULTS.md. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import type { Environment } from "./report";

const root = new URL("../../", import.meta.url);
const require = createRequire(new URL("package.json", root));

function versionAt(path: string | URL): string {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const versionOf = (pkg: string, from = require) => {
  try {
    return versionAt(from.resolve(`${pkg}/package.json`));
  } catch {
    return "unknown";
  }
};

function osName(): string {
  let distro = "";
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "";
  } catch {}
  return `${os.type()} ${os.release()} ${os.arch()}${distro ? ` (${distro})` : ""}`;
}

function commit(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const sha = git("rev-parse", "--short", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no") ? `${sha} + uncommitted changes` : sha;
  } catch {
    return "unknown (not a git checkout)";
  }
}

export function environment(): Environment {
  const cpus = os.cpus();
  // workerd is the one wrangler loads, which may be wrangler's own copy.
  const wranglerRequire = createRequire(require.resolve("wrangler/package.json"));
  return {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model.trim() || "unknown CPU",
      cores: os.availableParallelism(),
      memory_gb: os.totalmem() / 1024 ** 3,
      load_average: os.loadavg(),
    },
    os: osName(),
    versions: {
      node: process.version,
      wrangler: versionOf("wrangler"),
      workerd: versionOf("workerd", wranglerRequire),
      vitest: versionOf("vitest"),
      // The workspace package, whose exports do not include its package.json.
      baton: versionAt(new URL("sdk/package.json", root)),
    },
    commit: commit(),
  };
}
