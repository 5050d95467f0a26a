import { createServer } from "node:net";
import { CliError } from "../cli/errors";

/**
 * Fails fast with a clear error when the port is taken, before migrations and the dashboard build run.
 * (wrangler reports a taken port only as an event after it has started, see worker.ts.)
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? portInUse(host, port) : cannotListen(host, port, error));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export function portInUse(host: string, port: number): CliError {
  return new CliError("E_PORT_IN_USE", `Port ${port} on ${host} is already in use.`, {
    hint: "Stop the program that uses it (another `baton server start`?) or pick another port with --port.",
  });
}

function cannotListen(host: string, port: number, cause: NodeJS.ErrnoException): CliError {
  return new CliError("E_CANNOT_LISTEN", `Cannot listen on ${host}:${port}: ${cause.message}`, {
    hint: cause.code === "EADDRNOTAVAIL" || cause.code === "ENOTFOUND" ? "Check --host: it must be an address of this machine." : undefined,
    cause,
  });
}
