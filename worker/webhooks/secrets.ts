import { hmacKey, randomBase64url, toHex } from "../auth/crypto";
import { constantTimeEqual } from "../auth/keys";

/*
 * What makes a webhook URL unguessable and its caller trusted: random slugs and secrets, the HMAC
 * signature check and the bearer check. Every comparison of something secret is constant time.
 */

/** 24 random bytes: 32 URL-safe characters, as unguessable as a 192-bit key. */
export const newSlug = (): string => randomBase64url(24);

/** 32 random bytes: 43 URL-safe characters, easy to paste into a header or another system's settings. */
export const newSecret = (): string => randomBase64url(32);

const SIGNATURE = /^(?:sha256=)?([0-9a-f]{64})$/i;

/** `sha256=<hex>` or a bare hex digest → its 32 bytes; null for anything else. */
export function parseSignature(header: string | undefined): Uint8Array | null {
  const hex = SIGNATURE.exec(header?.trim() ?? "")?.[1];
  if (!hex) return null;
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** Whether `signature` is the HMAC-SHA256 of `body` under `secret`; crypto.subtle.verify is constant time. */
export async function verifyHmac(secret: string, body: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify("HMAC", await hmacKey(secret, ["verify"]), signature, body);
}

/** The hex HMAC-SHA256 of `body` under `secret`, as a sender computes it (tests and examples). */
export async function signHex(secret: string, body: Uint8Array | string): Promise<string> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret, ["sign"]), bytes));
}

const BEARER = /^Bearer\s+(.+)$/i;

/** Whether the Authorization header carries `Bearer <secret>`, compared in constant time. */
export async function bearerMatches(authorization: string | undefined, secret: string): Promise<boolean> {
  const presented = BEARER.exec(authorization?.trim() ?? "")?.[1]?.trim();
  return presented !== undefined && constantTimeEqual(presented, secret);
}
