import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { isoNow } from "../db/ids";
import { apiKeys } from "../db/schema";
import { randomBase64url, toHex } from "./crypto";

const encoder = new TextEncoder();

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Equal strings, compared in time that does not depend on where they differ (both are hashed first). */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}

/** A new key: 32 random bytes, shown once; only its hash is stored. */
export function generateKey(): string {
  return `bk_${randomBase64url(32)}`;
}

/** Whom a presented key belongs to: the deployment's secret, or a stored key. */
export type KeyOwner = { kid: string; secret: string };

/**
 * Identifies a presented key. The stored keys are found by the SHA-256 of the presented one, so the
 * secret never has to be compared character by character.
 */
export async function identifyKey(db: Db, envKey: string | undefined, presented: string): Promise<KeyOwner | null> {
  if (envKey && (await constantTimeEqual(presented, envKey))) return { kid: "env", secret: await sha256Hex(envKey) };
  const hash = await sha256Hex(presented);
  const row = await db.select({ id: apiKeys.id, last_used: apiKeys.last_used }).from(apiKeys).where(eq(apiKeys.key_hash, hash)).get();
  if (!row) return null;
  await noteUse(db, row.id, row.last_used);
  return { kid: row.id, secret: hash };
}

/** "Last used" is shown to tell stale keys apart; to the hour is enough, and costs one write an hour. */
const LAST_USED_RESOLUTION_MS = 3_600_000;

async function noteUse(db: Db, id: string, lastUsed: string | null, now = new Date()): Promise<void> {
  if (lastUsed && now.getTime() - Date.parse(lastUsed) < LAST_USED_RESOLUTION_MS) return;
  await db.update(apiKeys).set({ last_used: isoNow(now) }).where(eq(apiKeys.id, id));
}

/** The signing secret behind a key id, for verifying tickets. */
export async function secretOf(db: Db, envKey: string | undefined, kid: string): Promise<string | null> {
  if (kid === "env") return envKey ? sha256Hex(envKey) : null;
  const row = await db.select({ hash: apiKeys.key_hash }).from(apiKeys).where(eq(apiKeys.id, kid)).get();
  return row?.hash ?? null;
}

const KEY_PRESENCE_TTL_MS = 5_000;
let presence: { at: number; any: boolean } | null = null;

/** Whether D1 holds any key; cached briefly per isolate so open servers don't pay a read per request. */
export async function anyStoredKey(db: Db, now = Date.now()): Promise<boolean> {
  if (presence && now - presence.at < KEY_PRESENCE_TTL_MS) return presence.any;
  const row = await db.select({ id: apiKeys.id }).from(apiKeys).limit(1).get();
  presence = { at: now, any: row !== undefined };
  return presence.any;
}

/** Called after keys are created or deleted in this isolate. */
export function forgetKeyPresence(): void {
  presence = null;
}
