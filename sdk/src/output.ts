import pc from "picocolors";

/** Console output of the CLI and the local server: one symbol per kind of line, colours only on a TTY. */
export const out = {
  info: (message: string) => console.log(message),
  step: (message: string) => console.log(`${pc.dim("•")} ${message}`),
  success: (message: string) => console.log(`${pc.green("✔")} ${message}`),
  warn: (message: string) => console.warn(`${pc.yellow("▲")} ${message}`),
  error: (message: string) => console.error(`${pc.red("✖")} ${message}`),
};

export type Output = typeof out;
