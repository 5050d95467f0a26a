import { HttpError, UnreachableError } from "../client/http";
import { CliError } from "./errors";

/**
 * What the server refused or could not be asked is something the user fixes (a bad schedule, a missing
 * key, a server not started), so it is printed as one line like any CliError, not as a bug with a stack.
 */
export function serverErrorAsCliError(error: unknown): CliError | undefined {
  if (error instanceof UnreachableError) {
    return new CliError("E_UNREACHABLE", `Cannot reach the Baton server at ${error.url}.`, {
      hint: "Start one with `npx baton server start`, or set BATON_API_URL to where it runs.",
      cause: error,
    });
  }
  if (!(error instanceof HttpError)) return undefined;
  const where = `(${error.method} ${error.url} → ${error.status})`;
  if (error.status === 401 || error.status === 403) {
    return new CliError("E_UNAUTHORIZED", `The server refused the API key: ${error.detail} ${where}`, {
      hint: "Set BATON_API_KEY to a key of this server.",
      cause: error,
    });
  }
  const code = error.status >= 500 ? "E_SERVER" : `E_HTTP_${error.status}`;
  return new CliError(code, `The server answered: ${error.detail} ${where}`, { cause: error });
}
