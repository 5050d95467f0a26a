import { desc, eq } from "drizzle-orm";
import type { ApiKey, CreatedApiKey } from "../../protocol/auth";
import { generateKey, sha256Hex } from "../auth/keys";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { apiKeys } from "./schema";

const PREFIX_LENGTH = 8;
const publicFields = {
  id: apiKeys.id,
  created: apiKeys.created,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  last_used: apiKeys.last_used,
};

export async function createApiKey(db: Db, name: string): Promise<CreatedApiKey> {
  const key = generateKey();
  const row = { id: newId(), created: isoNow(), name, prefix: key.slice(0, PREFIX_LENGTH), last_used: null };
  await db.insert(apiKeys).values({ ...row, key_hash: await sha256Hex(key) });
  return { ...row, key };
}

export async function listApiKeys(db: Db): Promise<ApiKey[]> {
  return db.select(publicFields).from(apiKeys).orderBy(desc(apiKeys.created));
}

export async function deleteApiKey(db: Db, id: string): Promise<boolean> {
  const gone = await db.delete(apiKeys).where(eq(apiKeys.id, id)).returning({ id: apiKeys.id });
  return gone.length > 0;
}
