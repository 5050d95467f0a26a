import { asc, eq } from "drizzle-orm";
import type { Webhook, WebhookCreate, WebhookUpdate } from "../../protocol/webhooks";
import { newSecret, newSlug } from "../webhooks/secrets";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { webhooks } from "./schema";

export type WebhookRow = typeof webhooks.$inferSelect;
type Auth = Webhook["auth"];

/** The API's view of a row: never the secret, unless this answer is the one that shows it. */
export function toWebhook(row: WebhookRow, showSecret = false): Webhook {
  const { secret, auth, ...rest } = row;
  return { ...rest, auth: auth as Auth, url_path: `/hooks/${row.slug}`, ...(showSecret && secret ? { secret } : {}) };
}

/** A unique index refused the write (a name taken by another webhook); drizzle wraps D1's error as its cause. */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e.message.includes("UNIQUE constraint failed")) return true;
  return false;
}

/** The secret a webhook keeps: none without auth, else the one given, the one it had, or a new one. */
const secretFor = (auth: Auth, kept: string | null | undefined): string | null => (auth === "none" ? null : kept || newSecret());

/** Creates the webhook, or answers undefined when the name is taken (the unique index decides, so races are safe). */
export async function createWebhook(db: Db, input: WebhookCreate): Promise<WebhookRow | undefined> {
  const now = isoNow();
  const [row] = await db
    .insert(webhooks)
    .values({ ...input, id: newId(), created: now, updated: now, slug: newSlug(), secret: secretFor(input.auth, input.secret) })
    .onConflictDoNothing({ target: webhooks.name })
    .returning();
  return row;
}

export async function listWebhooks(db: Db): Promise<WebhookRow[]> {
  return db.select().from(webhooks).orderBy(asc(webhooks.name)).all();
}

export async function getWebhook(db: Db, id: string): Promise<WebhookRow | undefined> {
  return db.select().from(webhooks).where(eq(webhooks.id, id)).get();
}

export async function getWebhookByName(db: Db, name: string): Promise<WebhookRow | undefined> {
  return db.select().from(webhooks).where(eq(webhooks.name, name)).get();
}

/** The webhook behind a URL; the unique index on slug makes this one indexed read. */
export async function getWebhookBySlug(db: Db, slug: string): Promise<WebhookRow | undefined> {
  return db.select().from(webhooks).where(eq(webhooks.slug, slug)).get();
}

export type UpdateResult = { row: WebhookRow; newSecret: boolean } | "not_found" | "name_taken";

/**
 * Changes the fields sent (a template replaces the whole template). Turning auth on gives the webhook a
 * new secret, shown in this answer; turning it off forgets the secret.
 */
export async function updateWebhook(db: Db, id: string, patch: WebhookUpdate): Promise<UpdateResult> {
  const before = await getWebhook(db, id);
  if (!before) return "not_found";
  const auth = patch.auth ?? (before.auth as Auth);
  const secret = secretFor(auth, before.secret);
  try {
    const [row] = await db
      .update(webhooks)
      .set({ ...patch, secret, updated: isoNow() })
      .where(eq(webhooks.id, id))
      .returning();
    return row ? { row, newSecret: secret !== null && secret !== before.secret } : "not_found";
  } catch (error) {
    if (isUniqueViolation(error)) return "name_taken";
    throw error;
  }
}

/** A new slug (the old URL stops answering at once) and, when it has one, a new secret. */
export async function rotateWebhook(db: Db, id: string, what: { slug: boolean; secret: boolean }): Promise<WebhookRow | undefined> {
  const before = await getWebhook(db, id);
  if (!before) return undefined;
  const [row] = await db
    .update(webhooks)
    .set({
      updated: isoNow(),
      ...(what.slug ? { slug: newSlug() } : {}),
      ...(what.secret && before.auth !== "none" ? { secret: newSecret() } : {}),
    })
    .where(eq(webhooks.id, id))
    .returning();
  return row;
}

export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
  return rows.length > 0;
}
