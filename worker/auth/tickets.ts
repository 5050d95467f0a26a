import { fromBase64url, toBase64url } from "./base64url";
import { hmacKey } from "./crypto";

/**
 * Browsers cannot set headers on a WebSocket, and a key in a URL ends up in logs. So an authenticated
 * client asks for a ticket (valid for a minute, signed with HMAC-SHA256 by the secret behind its key)
 * and opens the socket with `?ticket=...`.
 */
export const TICKET_TTL_SECONDS = 60;

type TicketPayload = { kid: string; exp: number };

const encoder = new TextEncoder();

export async function issueTicket(kid: string, secret: string, nowMs: number): Promise<{ ticket: string; expires: string }> {
  const payload: TicketPayload = { kid, exp: Math.floor(nowMs / 1000) + TICKET_TTL_SECONDS };
  const body = toBase64url(encoder.encode(JSON.stringify(payload)));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, ["sign"]), encoder.encode(body)));
  return { ticket: `${body}.${toBase64url(sig)}`, expires: new Date(payload.exp * 1000).toISOString() };
}

/** The key id a ticket was issued for, without checking its signature yet. */
export function ticketKid(ticket: string): string | null {
  try {
    const payload = JSON.parse(new TextDecoder().decode(fromBase64url(ticket.split(".")[0] ?? ""))) as Partial<TicketPayload>;
    return typeof payload.kid === "string" ? payload.kid : null;
  } catch {
    return null;
  }
}

export async function verifyTicket(ticket: string, secret: string, nowMs: number): Promise<boolean> {
  const [body, sig] = ticket.split(".");
  if (!body || !sig) return false;
  try {
    const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret, ["verify"]), fromBase64url(sig), encoder.encode(body));
    if (!ok) return false;
    const payload = JSON.parse(new TextDecoder().decode(fromBase64url(body))) as TicketPayload;
    return typeof payload.exp === "number" && payload.exp * 1000 > nowMs;
  } catch {
    return false;
  }
}
