/**
 * A mistake the user can fix (bad flag, port taken, missing config): printed as one line with its code
 * and an optional hint, without a stack trace. Anything else that reaches the CLI is a bug and keeps its stack.
 */
export class CliError extends Error {
  override name = "CliError";

  constructor(
    /** Stable identifier, e.g. `E_PORT_IN_USE`, for scripts and bug reports. */
    readonly code: string,
    message: string,
    readonly options: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }

  get exitCode(): number {
    return this.options.exitCode ?? 1;
  }
}

/** citty reports usage mistakes (unknown command, missing argument) as its own non-exported `CLIError`. */
export function isUsageError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && error.name === "CLIError" && typeof (error as { code?: unknown }).code === "string";
}

/** The command line itself is wrong (unknown flag, conflicting flags): printed with the command's usage, exit code 2. */
export class UsageError extends CliError {
  override name = "UsageError";

  constructor(message: string, hint?: string) {
    super("E_USAGE", message, { hint, exitCode: 2 });
  }
}
