import { fromBase64url, toBase64url } from "../auth/base64url";

/*
 * `POST /api/events/filter`'s `next_page`: the key (occurred, id) of the last event a page answered.
 * The next page starts strictly below it, so events stored meanwhile never shift a page (no gaps, no
 * repeats, unlike an offset), and reading a page costs the same however deep it is.
 */

export type PageKey = { occurred: string; id: string };

export function encodePageToken(key: PageKey): string {
  return toBase64url(new TextEncoder().encode(JSON.stringify([key.occurred, key.id])));
}

/** The key, or null when the text is not a token this server made. */
export function decodePageToken(token: string): PageKey | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(token)));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [occurred, id] = value;
    return typeof occurred === "string" && typeof id === "string" ? { occurred, id } : null;
  } catch {
    return null;
  }
}
