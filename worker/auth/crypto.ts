import { toBase64url } from "./base64url";

/* The Web Crypto pieces that API keys, tickets and webhook secrets share. */

const encoder = new TextEncoder();

/** An HMAC-SHA256 key from a text secret. */
export const hmacKey = (secret: string, usages: ("sign" | "verify")[]) =>
  crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, usages);

export const toHex = (bytes: ArrayBuffer | Uint8Array): string =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** `n` random bytes as URL-safe text. */
export const randomBase64url = (n: number): string => toBase64url(crypto.getRandomValues(new Uint8Array(n)));
