import { ConfigError } from "../client/config";
import { HttpError, NotBatonApiError, UnreachableError } from "../client/http";
import { CliError } from "./errors";

/**
 * What the server refused or could not be asked is something the user fixes (a bad schedule, a missing
 * key, a server not started, a URL without /api), so it is printed as one line like any CliError, not as
 * a bug with a stack. The wording of refusals is the errors' own (client/problems.ts), as a script sees it.
 */
export function serverErrorAsCliError(error: unknown): CliError | undefined {
  if (error instanceof ConfigError) return new CliError("E_CONFIG", error.message, { cause: error });
  if (error instanceof UnreachableError) {
    return new CliError("E_UNREACHABLE", `Cannot reach the Baton server at ${error.url}.`, {
      hint: "Start one with `npx baton server start`, or set BATON_API_URL to where it runs.",
      cause: error,
    });
  }
  if (error instanceof NotBatonApiError) {
    return new CliError("E_NOT_BATON_API", error.explanation.message, { hint: error.explanation.hint, cause: error });
  }
  if (!(error instanceof HttpError)) return undefined;
  const where = `(${error.method} ${error.url} → ${error.status})`;
  if (error.status === 401 || error.status === 403) {
    const { message, hint } = error.explanation ?? { message: `The server refused the request: ${error.detail} ${where}`, hint: undefined };
    return new CliError("E_UNAUTHORIZED", message, { hint, cause: error });
  }
  const code = error.status >= 500 ? "E_SERVER" : `E_HTTP_${error.status}`;
  const said = error.detail ? `: ${error.detail}` : ` ${error.status} without a reason`;
  return new CliError(code, `The server answered${said} ${where}`, { cause: error });
}
