import { stripVTControlCharacters } from "node:util";
import { renderUsage, runCommand, type CommandDef } from "citty";
import pc from "picocolors";
import { out } from "../output";
import { CliError, isUsageError, UsageError } from "./errors";
import { serverErrorAsCliError } from "./server-errors";
import { unknownFlag } from "./strict-flags";

/**
 * Runs `argv` against the command tree and returns the process exit code. Every error of every command
 * ends here, so the way mistakes are printed is decided in one place.
 */
export async function runCli(root: CommandDef<any>, argv: string[], version: string): Promise<number> {
  try {
    if (argv.includes("--help") || argv.includes("-h")) {
      out.info(plain(await renderUsage(await commandForUsage(root, argv))) + "\n");
      return 0;
    }
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      out.info(version);
      return 0;
    }
    const flag = await unknownFlag(await commandForUsage(root, argv), argv);
    if (flag) throw new UsageError(`Unknown option ${flag}`);
    await runCommand(root, { rawArgs: argv });
    return 0;
  } catch (error) {
    return reportError(root, argv, error);
  }
}

async function reportError(root: CommandDef<any>, argv: string[], caught: unknown): Promise<number> {
  const error = serverErrorAsCliError(caught) ?? caught;
  if (error instanceof UsageError) out.info(plain(await renderUsage(await commandForUsage(root, argv))) + "\n");
  if (error instanceof CliError) {
    // The code goes on the first line; details such as a child's output follow it.
    const [summary, ...details] = error.message.split("\n");
    out.error(`${summary} ${pc.dim(`[${error.code}]`)}`);
    for (const line of details) console.error(line);
    if (error.options.hint) console.error(`  ${error.options.hint}`);
    return error.exitCode;
  }
  if (isUsageError(error)) {
    out.info(plain(await renderUsage(await commandForUsage(root, argv))) + "\n");
    out.error(`${plain(error.message)} ${pc.dim(`[${error.code}]`)}`);
    return 2;
  }
  out.error("Unexpected error (a bug in baton; please report it with the trace below):");
  console.error(error);
  return 1;
}

/** citty colours its usage text even when output is piped; follow picocolors' detection instead. */
function plain(text: string): string {
  return pc.isColorSupported ? text : stripVTControlCharacters(text);
}

/**
 * The deepest command named by the leading words of `argv`, for `--help` and usage errors. Commands carry
 * their full path as `meta.name` ("baton server start"), so no parent is needed to print it.
 */
export async function commandForUsage(root: CommandDef<any>, argv: string[]): Promise<CommandDef<any>> {
  let command = root;
  for (const word of argv) {
    if (word.startsWith("-")) continue;
    const sub = (await resolve(command.subCommands))?.[word];
    if (!sub) break;
    command = await resolve(sub);
  }
  return command;
}

async function resolve<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? (value as () => T | Promise<T>)() : value;
}
