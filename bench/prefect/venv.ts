/**
 * Prefect 3 in a virtual environment of its own under bench/ (git-ignored), installed once from PyPI at a
 * pinned version and reused: the side by side then measures the same Prefect on every run.
 */
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { runCommand } from "./processes";

export const PREFECT_VERSION = "3.9.1";
/** Prefect 3.9 needs Python ≥ 3.11 (its Requires-Python). */
const MIN_PYTHON: [number, number] = [3, 11];

export const VENV_DIR = new URL("../.prefect-venv/", import.meta.url).pathname;
/** Written last by a complete install: a venv without it (an interrupted install) is made anew. */
const MARKER = `${VENV_DIR}baton-bench-installed.json`;

export type PrefectVenv = { python: string; prefect: string; prefectVersion: string; pythonVersion: string };

const paths = () => ({ python: `${VENV_DIR}bin/python`, prefect: `${VENV_DIR}bin/prefect` });

const INSTALL_HINT = `install Python ${MIN_PYTHON.join(".")} or newer with venv and pip (Debian: apt-get install python3 python3-venv python3-pip)`;

/** The system's python3, checked for the version Prefect needs and for venv with ensurepip (Debian splits it off). */
async function systemPython(): Promise<string> {
  const check = `import sys, venv, ensurepip; print(sys.version.split()[0]); sys.exit(0 if sys.version_info[:2] >= (${MIN_PYTHON.join(", ")}) else 3)`;
  try {
    const { output } = await runCommand("python3", ["-c", check]);
    return output.trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new Error(`The Prefect side by side needs python3, which is not on PATH: ${INSTALL_HINT}.`);
    if (/exited with 3/.test(err.message)) throw new Error(`The Prefect side by side needs Python ≥ ${MIN_PYTHON.join(".")} for Prefect ${PREFECT_VERSION}; python3 is older: ${INSTALL_HINT}.`);
    if (/No module named '(venv|ensurepip)'/.test(err.message)) throw new Error(`python3 has no working venv module (ensurepip is missing): ${INSTALL_HINT}.`);
    throw new Error(`python3 could not be checked: ${err.message}`);
  }
}

/** The venv with Prefect, installed first if it is not there yet (about a minute, with progress). */
export async function ensurePrefect(progress: (message: string) => void): Promise<PrefectVenv> {
  const { python, prefect } = paths();
  if (existsSync(MARKER) && existsSync(python)) {
    const marker = JSON.parse(await readFile(MARKER, "utf8")) as { prefect: string; python: string };
    if (marker.prefect === PREFECT_VERSION) return { python, prefect, prefectVersion: marker.prefect, pythonVersion: marker.python };
  }
  const pythonVersion = await systemPython();
  progress(`installing Prefect ${PREFECT_VERSION} into bench/.prefect-venv (Python ${pythonVersion}), once`);
  await rm(VENV_DIR, { recursive: true, force: true });
  await runCommand("python3", ["-m", "venv", VENV_DIR]);
  const started = performance.now();
  let lastShown = 0;
  let collected = 0;
  await runCommand(python, ["-m", "pip", "install", "--disable-pip-version-check", `prefect==${PREFECT_VERSION}`], {
    env: { ...process.env, PIP_NO_INPUT: "1" },
    timeoutMs: 15 * 60_000,
    onLine: (line) => {
      if (line.startsWith("Collecting ")) collected++;
      const now = performance.now();
      // One line every few seconds is enough to show it is moving.
      if (/^(Collecting|Installing collected|Successfully installed)/.test(line) && (now - lastShown > 3000 || !line.startsWith("Collecting"))) {
        lastShown = now;
        progress(`pip (${((now - started) / 1000).toFixed(0)} s, ${collected} packages): ${line.slice(0, 100)}`);
      }
    },
  });
  const { output } = await runCommand(python, ["-c", "import prefect, sys; print(prefect.__version__, sys.version.split()[0])"]);
  const [installed, venvPython] = output.trim().split(/\s+/);
  if (installed !== PREFECT_VERSION) throw new Error(`pip installed Prefect ${installed}, not ${PREFECT_VERSION}`);
  await writeFile(MARKER, JSON.stringify({ prefect: installed, python: venvPython }) + "\n");
  progress(`Prefect ${installed} installed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { python, prefect, prefectVersion: installed, pythonVersion: venvPython! };
}
