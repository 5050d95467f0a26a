/*
 * The words for what a user gets wrong talking to a server: one place, shared by the errors a script sees
 * (their message is the sentence and the hint) and the CLI's one-line errors (the sentence, then the hint).
 */

/** A problem the user fixes: what is wrong, and what to do about it. */
export interface Explanation {
  message: string;
  hint: string;
}

/** How an error's message reads: the sentence, then the hint. */
export const explained = (e: Explanation): string => `${e.message} ${e.hint}`;

const KEY_HINT = "Set BATON_API_KEY to a key of this server.";

/** The server refused the request for its key (401/403). */
export function refusedKey(apiUrl: string, status: number, keySent: boolean, detail: string): Explanation {
  const why =
    status === 403 ? (detail || "the key may not do this") : keySent ? `it does not accept the key in BATON_API_KEY (${detail || status})` : "no API key";
  return { message: `The Baton server at ${apiUrl} refused the request: ${why}.`, hint: KEY_HINT };
}

/**
 * Something answers at the URL, but not the Baton API: most often the server's root, given without `/api`
 * (where the dashboard answers GETs with its page and other methods with 405).
 */
export function notBatonApi(apiUrl: string, answered: string, suggestion: string | undefined): Explanation {
  if (suggestion) return { message: `No Baton API at ${apiUrl} — did you mean ${suggestion}?`, hint: `Set BATON_API_URL=${suggestion}.` };
  return {
    message: `No Baton API at ${apiUrl}: ${answered}.`,
    hint: "Set BATON_API_URL to the API's URL: the server's address followed by /api, e.g. http://127.0.0.1:4200/api.",
  };
}

/** What GET /health of the Baton API answers: `{ status: "ok", version }`. */
export function isBatonHealth(body: unknown): body is { status: "ok"; version: string } {
  return typeof body === "object" && body !== null && (body as { status?: unknown }).status === "ok" && typeof (body as { version?: unknown }).version === "string";
}
