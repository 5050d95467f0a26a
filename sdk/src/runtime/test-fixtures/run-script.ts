import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const sdkDir = fileURLToPath(new URL("../../..", import.meta.url));

/** Runs a script of this folder (script-flow.ts unless said) as a user runs a flow file, with only the Baton settings given here. */
export function runScript(env: Record<string, string>, name = "script-flow.ts"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const { BATON_API_KEY: _k, BATON_API_URL: _u, BATON_HOME: _h, BATON_WORKER_CHILD: _w, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: sdkDir, env: { ...inherited, NO_COLOR: "1", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
