/**
 * Child processes for the Prefect side by side: commands run to the end with their output kept for the
 * error message, and long-running services (Prefect's server and worker) in process groups of their own,
 * so that stopping one ends whatever it spawned too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readdirSync, readFileSync } from "node:fs";

/** What a failed command printed last is worth this much of its error message. */
const KEEP_OUTPUT = 3000;

export type RunOptions = {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line the command prints (stdout and stderr), as it comes. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
};

/** Runs a command to its end; rejects, with the tail of its output, when it fails or cannot start. */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<{ output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    // Each stream has its own unfinished line: stdout's and stderr's chunks interleave.
    const partial = { stdout: "", stderr: "" };
    const take = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-KEEP_OUTPUT);
      if (!options.onLine) return;
      const lines = (partial[stream] + text).split("\n");
      partial[stream] = lines.pop()!;
      for (const line of lines) options.onLine(line);
    };
    child.stdout!.on("data", take("stdout"));
    child.stderr!.on("data", take("stderr"));
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
    child.once("error", (e) => (clearTimeout(timer), reject(e)));
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      for (const rest of [partial.stdout, partial.stderr]) if (rest && options.onLine) options.onLine(rest);
      if (code === 0) resolve({ output });
      else reject(new Error(`${[command, ...args].join(" ")} ${signal ? `was ended by ${signal}` : `exited with ${code}`}:\n${output.trim()}`));
    });
  });
}

/**
 * The processes below `root` (Linux: from /proc; elsewhere none). Prefect's process worker starts each flow
 * run in a session of its own, so ending the worker's group leaves them running: they are ended by PID.
 */
export function descendants(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read from the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // It ended while being read.
    }
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

export type Service = {
  name: string;
  pid: number;
  /** Its output goes to this file (not shown: it would break the harness's progress lines). */
  logFile: string;
  exited: () => boolean;
  /** The end of its log, for error messages. */
  logTail: () => string;
  /**
   * Ends its whole process group and every process below it (found before the first signal): SIGTERM, then
   * SIGKILL after `graceMs`; waits for the leader to exit.
   */
  stop: (graceMs?: number) => Promise<void>;
};

/** Starts a long-running command as the leader of a new process group, its output into `logFile`. */
export function startService(name: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): Promise<Service> {
  const fd = openSync(options.logFile, "a");
  const child: ChildProcess = spawn(command, args, { env: options.env, cwd: options.cwd, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("spawn", () => {
      const pid = child.pid!;
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      const exit = new Promise<void>((r) => (exited() ? r() : child.once("exit", () => r())));
      const signal = (target: number, sig: NodeJS.Signals) => {
        try {
          process.kill(target, sig);
        } catch {
          // It is gone already.
        }
      };
      const stop = async (graceMs = 10_000) => {
        const below = descendants(pid);
        signal(-pid, "SIGTERM");
        for (const p of below) signal(p, "SIGTERM");
        const ended = await Promise.race([exit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
        // The leader may have left children behind (or not ended at all): they go either way.
        signal(-pid, "SIGKILL");
        for (const p of below) signal(p, "SIGKILL");
        if (!ended) await exit;
      };
      const logTail = () => {
        try {
          return readFileSync(options.logFile, "utf8").slice(-KEEP_OUTPUT).trim();
        } catch {
          return "";
        }
      };
      resolve({ name, pid, logFile: options.logFile, exited, logTail, stop });
    });
  });
}
