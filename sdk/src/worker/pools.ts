import type { WorkPool } from "../../../protocol/work-pools";
import { HttpError, RETRY_BRIEFLY, type ApiClient } from "../client/http";

/** The pool named `name`, or null when there is none. */
export async function findPool(client: ApiClient, name: string): Promise<WorkPool | null> {
  try {
    return await client.get<WorkPool>(`/work_pools/${encodeURIComponent(name)}`, { retry: RETRY_BRIEFLY });
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return null;
    throw error;
  }
}

/** Creates the pool, or answers the existing one when another client created it first. */
export async function createPool(client: ApiClient, name: string, description: string | null = null): Promise<WorkPool> {
  try {
    return await client.post<WorkPool>("/work_pools/", { name, description });
  } catch (error) {
    const existing = error instanceof HttpError && error.status === 409 ? await findPool(client, name) : null;
    if (existing) return existing;
    throw error;
  }
}

export async function ensurePool(client: ApiClient, name: string, description: string | null = null): Promise<WorkPool> {
  return (await findPool(client, name)) ?? (await createPool(client, name, description));
}

/** Every pool, for the interactive pick. */
export function listPools(client: ApiClient): Promise<WorkPool[]> {
  return client.post<WorkPool[]>("/work_pools/filter", { limit: 200 }, { retry: RETRY_BRIEFLY });
}
