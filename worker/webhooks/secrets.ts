import { toBase64url } from "../auth/base64url";
import { constantTimeEqual } from "../auth/keys";

/*
 * What makes a webhook URL unguessable and its caller trusted: random slugs and secrets, the HMAC
 * signature check and the bearer check. Every comparison of something secret is constant time.
 */

/** 24 random bytes: 32 URL-safe characters, as unguessable as a 192-bit key. */
export const newSlug = (): string => toBase64url(crypto.getRandomValues(new Uint8Array(24)));

/** 32 random bytes: 43 URL-safe characters, easy to paste into a header or another system's settings. */
export const newSecret = (): string => toBase64url(crypto.getRandomValues(new Uint8Array(32)));

const SIGNATURE = /^(?:sha256=)?([0-9a-f]{64})$/i;

/** `sha256=<hex>` or a bare hex digest → its 32 bytes; null for anything else. */
export function parseSignature(header: string | undefined): Uint8Array | null {
  const hex = SIGNATURE.exec(header?.trim() ?? "")?.[1];
  if (!hex) return null;
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** Whether `signature` is the HMAC-SHA256 of `body` under `secret`; crypto.subtle.verify is constant time. */
export async function verifyHmac(secret: string, body: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", key, signature, body);
}

/** The hex HMAC-SHA256 of `body` under `secret`, as a sender computes it (tests and examples). */
export async function signHex(secret: string, body: Uint8Array | string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const BEARER = /^Bearer\s+(.+)$/i;

/** Whether the Authorization header carries `Bearer <secret>`, compared in constant time. */
export async function bearerMatches(authorization: string | undefined, secret: string): Promise<boolean> {
  const presented = BEARER.exec(authorization?.trim() ?? "")?.[1]?.trim();
  return presented !== undefined && constantTimeEqual(presented, secret);
}
