import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { clientConfig } from "../client/config";
import { ApiClient } from "../client/http";
import { freePort } from "./free-port";

/*
 * For end-to-end tests of the CLI: a real local server (one per test file, it takes seconds to start) and
 * the real `baton` executable run as a child process, in a pipe or in a pseudo-terminal.
 */

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const bin = join(repoRoot, "sdk/bin/baton.js");

/** The environment of a child: this process's, without Baton settings of whoever runs the tests. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { BATON_API_KEY, BATON_API_URL, BATON_HOME, BATON_SERVER_DIR, ...inherited } = process.env;
  return { ...inherited, NO_COLOR: "1", ...extra };
}

export interface TestServer {
  apiUrl: string;
  client: ApiClient;
  stop(): Promise<void>;
}

/**
 * `baton server start` on a free port with a fresh BATON_HOME; resolves when it is ready. Given a `home`
 * (and the `port` clients already use), it starts on that state again and leaves it in place at stop(),
 * as a server restarted by its user.
 */
export async function startTestServer(given: { home?: string; port?: number } = {}): Promise<TestServer> {
  const home = given.home ?? (await mkdtemp(join(tmpdir(), "baton-cli-test-")));
  const port = given.port ?? (await freePort());
  const child = spawn(process.execPath, [bin, "server", "start", "--port", String(port)], { cwd: repoRoot, env: childEnv({ BATON_HOME: home }) });
  let output = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after 90 s:\n${output}`)), 90_000);
    const check = (chunk: Buffer) => {
      output += chunk;
      if (output.includes("Baton server ready at")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    void exited.then(() => reject(new Error(`server exited before ready:\n${output}`)));
  });
  const apiUrl = `http://127.0.0.1:${port}/api`;
  return {
    apiUrl,
    client: new ApiClient(clientConfig({ BATON_API_URL: apiUrl })),
    async stop() {
      child.kill("SIGTERM");
      await exited;
      if (!given.home) await rm(home, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  apiUrl: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs `baton <args>` to its end, its stdin closed (so not a terminal), and answers what it printed. */
export function baton(args: string[], options: CliOptions): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: childEnv({ BATON_API_URL: options.apiUrl, ...options.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return collect(child);
}

/** Starts `baton <args>` without waiting for it, for commands that follow a run. */
export function batonStarted(
  args: string[],
  options: CliOptions,
): { child: ChildProcess; result: Promise<CliResult>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: childEnv({ BATON_API_URL: options.apiUrl, ...options.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
  return { child, result: collect(child), stdout: () => stdout, stderr: () => stderr };
}

function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

export interface TerminalSession {
  /** Everything shown so far, without colours and cursor movements. */
  screen(): string;
  /** Waits until `text` has been shown after the previous wait's match. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Keys as a terminal sends them: "\r" is Enter, "\x1b[B" the down arrow, "\x03" Ctrl-C. */
  type(keys: string): void;
  exit: Promise<number | null>;
}

export const KEYS = { enter: "\r", down: "\x1b[B", up: "\x1b[A", ctrlC: "\x03" } as const;

/** Runs `baton <args>` in a pseudo-terminal (util-linux `script`), for the interactive commands. */
export function batonInTerminal(args: string[], options: CliOptions): TerminalSession {
  const command = [process.execPath, bin, ...args].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
  // The pseudo-terminal starts 0 columns wide (this process has no terminal to copy the size from).
  const child = spawn("script", ["-qfec", `stty cols 120 rows 40; exec ${command}`, "/dev/null"], {
    cwd: options.cwd ?? repoRoot,
    env: childEnv({ BATON_API_URL: options.apiUrl, TERM: "xterm-256color", ...options.env }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let raw = "";
  let searchedUpTo = 0;
  child.stdout.on("data", (chunk: Buffer) => (raw += chunk));
  child.stderr.on("data", (chunk: Buffer) => (raw += chunk));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const screen = () => stripVTControlCharacters(raw);
  return {
    screen,
    exit,
    type: (keys) => void child.stdin.write(keys),
    async waitFor(text, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rest = screen().slice(searchedUpTo);
        const match = typeof text === "string" ? { index: rest.indexOf(text), length: text.length } : (() => {
          const m = text.exec(rest);
          return { index: m ? m.index : -1, length: m ? m[0].length : 0 };
        })();
        if (match.index >= 0) {
          searchedUpTo += match.index + match.length;
          return;
        }
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never saw ${String(text)}; screen:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

// The fake takes any parameters (its function reads a record), as its schema says: the server refuses names a closed one does not list.
const OPEN_SCHEMA = { type: "object", properties: { name: { type: "string", default: "World" } }, additionalProperties: true };

/** A closed schema (as the SDK makes for `v.object`), for a fake flow whose parameters the server checks. */
export const CLOSED_SCHEMA = {
  type: "object",
  properties: { name: { type: "string" }, currency: { enum: ["EUR", "USD"] } },
  additionalProperties: false,
};

/**
 * Source of a module exporting objects that satisfy `isFlow` (runtime/types.ts), so CLI tests do not
 * depend on the runtime: `flows` maps export names to flow names; all take `schema`.
 */
export function fakeFlowModule(flows: Record<string, string>, schema: Record<string, unknown> = OPEN_SCHEMA): string {
  const lines = [
    "const fakeFlow = (name: string) =>",
    "  Object.defineProperty(",
    "    Object.assign(async (p: Record<string, unknown> = {}) => `Hello, ${String(p.name)}!`, {",
    `      [Symbol.for("baton.flow")]: true, options: { description: "a test flow" }, parameterSchema: () => (${JSON.stringify(schema)}), serve: async () => {},`,
    "    }),",
    '    "name", { value: name },',
    "  );",
    ...Object.entries(flows).map(([exportName, name]) => `export const ${exportName} = fakeFlow(${JSON.stringify(name)});`),
    "export const notAFlow = 42;",
  ];
  return lines.join("\n") + "\n";
}

/** Links `project`'s node_modules/baton to this repository's SDK, as installing it would, so its files can import "baton". */
export async function linkBaton(project: string): Promise<void> {
  await mkdir(join(project, "node_modules"), { recursive: true });
  await symlink(join(repoRoot, "sdk"), join(project, "node_modules", "baton"), "dir");
}

/** A project directory with `files` (relative path → content) under a fresh temporary directory. */
export async function writeProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "baton-project-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}
