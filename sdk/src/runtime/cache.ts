import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { resolveBatonHome } from "../server/options";

/*
 * Results of tasks with a cache key, kept on this machine under BATON_HOME/results, as Prefect 3 keeps
 * them in its local result storage: a cached task run must answer its value without running, and the
 * server only ever sees a summary. Values are stored with the structured clone algorithm (v8.serialize),
 * so Dates, Maps, Sets and typed arrays come back as they were.
 */

interface Entry {
  key: string;
  /** ISO time after which the entry no longer counts, or null for never. */
  expiration: string | null;
  value: unknown;
}

export const resultsDir = (env = process.env) => join(resolveBatonHome(env.BATON_HOME, { homeDir: homedir(), cwd: process.cwd() }), "results");

const fileOf = (key: string) => join(resultsDir(), createHash("sha256").update(key).digest("hex"));

/** The cached value of `key`, unless there is none or it expired. */
export async function readCached(key: string, now = new Date()): Promise<{ value: unknown; expiration: string | null } | undefined> {
  let entry: Entry;
  try {
    entry = deserialize(await readFile(fileOf(key))) as Entry;
  } catch {
    return undefined;
  }
  if (entry.key !== key) return undefined;
  if (entry.expiration !== null && Date.parse(entry.expiration) <= now.getTime()) return undefined;
  return { value: entry.value, expiration: entry.expiration };
}

/** Stores a value; throws when it cannot be cloned (functions, class instances with private state, …). */
export async function writeCached(key: string, value: unknown, expiration: string | null): Promise<void> {
  const bytes = serialize({ key, expiration, value } satisfies Entry);
  const file = fileOf(key);
  await mkdir(resultsDir(), { recursive: true });
  // Written aside and renamed, so a concurrent reader never sees half an entry.
  const partial = `${file}.${process.pid}.${Date.now()}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, file);
}
