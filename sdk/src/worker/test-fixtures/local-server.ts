import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../testing/free-port";

export const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
export const batonBin = join(repoRoot, "sdk/bin/baton.js");

/** The environment the tests' processes get: none of the settings of whoever runs the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { BATON_API_KEY: _k, BATON_API_URL: _u, BATON_HOME: _h, BATON_SERVER_DIR: _d, ...inherited } = process.env;
  return { ...inherited, NO_COLOR: "1", ...extra };
}

/** A real local server (`baton server start`) in a child process, on a free port, with its own state directory. */
export class LocalServer {
  #child: ChildProcess | undefined;
  output = "";

  private constructor(
    readonly home: string,
    readonly port: number,
    readonly apiKey: string | undefined,
  ) {}

  /** With `apiKey`, the server requires it on every /api path (BATON_API_KEY). */
  static async start(apiKey?: string): Promise<LocalServer> {
    const server = new LocalServer(await mkdtemp(join(tmpdir(), "baton-worker-test-")), await freePort(), apiKey);
    await server.restart();
    return server;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** Starts it (again, on the same port and state) and resolves once it is ready. */
  async restart(): Promise<void> {
    const child = spawn(process.execPath, [batonBin, "server", "start", "--port", String(this.port)], {
      cwd: repoRoot,
      env: cleanEnv({ BATON_HOME: this.home, ...(this.apiKey ? { BATON_API_KEY: this.apiKey } : {}) }),
    });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server not ready after 90 s:\n${this.output}`)), 90_000);
      const onData = (chunk: Buffer) => {
        this.output += chunk;
        if (this.output.includes(`Baton server ready at`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", () => reject(new Error(`server exited before it was ready:\n${this.output}`)));
    });
    this.output = "";
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.home, { recursive: true, force: true });
  }
}
