import type { ApiKey, CreatedApiKey } from "../../../protocol/auth";
import type { ApiClient } from "../api/client";

export const loadKeys = (client: Pick<ApiClient, "get">) => client.get<ApiKey[]>("/api_keys/");
export const createKey = (client: Pick<ApiClient, "post">, name: string) => client.post<CreatedApiKey>("/api_keys/", { name });
export const deleteKey = (client: Pick<ApiClient, "delete">, id: string) => client.delete<unknown>(`/api_keys/${encodeURIComponent(id)}`);
