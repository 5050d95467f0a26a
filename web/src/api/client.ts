import { authHeaders, notifyUnauthorized } from "./key";

/** The dashboard is served by the same Worker as the API, so every call is same-origin. */
export const API_BASE = "/api";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * A failed API call. `status` is undefined when no response arrived (network error, timeout, abort);
 * `detail` is the server's own explanation when it gave one.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly method: HttpMethod,
    readonly url: string,
    readonly status: number | undefined,
    readonly detail: string | undefined,
    options?: ErrorOptions,
    /** Per-field problems of a 422 (`errors` of the error body), e.g. `parameters.count: must be >= 1`. */
    readonly errors: readonly FieldError[] = [],
  ) {
    super(formatApiError(method, url, status, detail), options);
  }
}

/** One line that says which call failed and why, e.g. `POST /api/flows failed with 422: name is required`. */
export function formatApiError(
  method: HttpMethod,
  url: string,
  status: number | undefined,
  detail: string | undefined,
): string {
  const outcome = status === undefined ? "failed" : `failed with ${status}`;
  return detail ? `${method} ${url} ${outcome}: ${detail}` : `${method} ${url} ${outcome}`;
}

/** The `detail` of an error body (`{"detail": "..."}`), if the body has one. */
export function detailOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("detail" in body)) return undefined;
  const { detail } = body;
  if (detail === undefined || detail === null) return undefined;
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

export interface FieldError {
  path?: string;
  message: string;
}

/** The `errors` list of an error body, keeping only well-formed entries. */
export function fieldErrorsOf(body: unknown): FieldError[] {
  if (typeof body !== "object" || body === null || !("errors" in body) || !Array.isArray(body.errors)) return [];
  return body.errors.flatMap((e: unknown) => {
    if (typeof e !== "object" || e === null || !("message" in e) || typeof e.message !== "string") return [];
    const path = "path" in e && typeof e.path === "string" ? e.path : undefined;
    return [{ path, message: e.message }];
  });
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

export interface ClientOptions {
  base?: string;
  fetch?: typeof fetch;
  /** Extra headers for every call; the app's client sends the API key this way. */
  headers?: () => Record<string, string>;
  /** Called when the server answers 401, before the call rejects. */
  onUnauthorized?: () => void;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function createClient({
  base = API_BASE,
  fetch: send = (input, init) => fetch(input, init),
  headers: extraHeaders = () => ({}),
  onUnauthorized,
}: ClientOptions = {}) {
  /** Resolves with the parsed JSON body (undefined when empty); rejects with an ApiError otherwise. */
  async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const url = base + path;
    const headers: Record<string, string> = { accept: "application/json", ...extraHeaders() };
    if (options.body !== undefined) headers["content-type"] = "application/json";

    let response: Response;
    let text: string;
    try {
      response = await send(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
      text = await response.text();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ApiError(method, url, undefined, reason, { cause });
    }

    const parsed = text === "" ? { ok: true as const, value: undefined } : parseJson(text);
    if (!response.ok) {
      if (response.status === 401) onUnauthorized?.();
      const body = parsed.ok ? parsed.value : undefined;
      throw new ApiError(method, url, response.status, detailOf(body), undefined, fieldErrorsOf(body));
    }
    // A 2xx that is not JSON is not the API answering: typically the dashboard's own index.html served
    // because /api is not routed to the Worker.
    if (!parsed.ok) throw new ApiError(method, url, response.status, "response is not JSON");
    return parsed.value as T;
  }

  return {
    request,
    get: <T>(path: string, options?: Omit<RequestOptions, "body">) => request<T>("GET", path, options),
    post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
      request<T>("POST", path, { ...options, body }),
    patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
      request<T>("PATCH", path, { ...options, body }),
    delete: <T>(path: string, options?: Omit<RequestOptions, "body">) => request<T>("DELETE", path, options),
  };
}

export type ApiClient = ReturnType<typeof createClient>;

export const api = createClient({ headers: () => authHeaders(), onUnauthorized: notifyUnauthorized });
