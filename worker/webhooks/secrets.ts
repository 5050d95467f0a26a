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

/**
 * How a request's proof of the secret turned out: `missing` (no header), `malformed` (a header that
 * cannot be a proof), `mismatch` (a proof of something else). Telling them apart tells the sender what
 * to fix and reveals nothing of the secret: a malformed or missing header was never compared with it.
 */
export type Proof = "ok" | "missing" | "malformed" | "mismatch";

/** The HMAC signature header against the raw body; the compare is crypto.subtle.verify's, constant time. */
export async function hmacProof(secret: string, body: Uint8Array, header: string | null | undefined): Promise<Proof> {
  if (header === null || header === undefined || header.trim() === "") return "missing";
  const signature = parseSignature(header);
  if (!signature) return "malformed";
  return (await verifyHmac(secret, body, signature)) ? "ok" : "mismatch";
}

const BEARER = /^Bearer\s+(.+)$/i;

/** The Authorization header against `Bearer <secret>`, the token compared in constant time. */
export async function bearerProof(authorization: string | null | undefined, secret: string): Promise<Proof> {
  if (authorization === null || authorization === undefined || authorization.trim() === "") return "missing";
  const presented = BEARER.exec(authorization.trim())?.[1]?.trim();
  if (!presented) return "malformed";
  return (await constantTimeEqual(presented, secret)) ? "ok" : "mismatch";
}
