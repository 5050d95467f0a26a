import { clientConfig, type ClientConfig } from "./config";

/**
 * An answer of the server that is not a success. Keeps the method, URL and status (as ofetch does) and
 * the server's `detail`, so that an error printed by the CLI says what was asked and what went wrong.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly detail: string,
    readonly body: unknown,
  ) {
    super(`${method} ${url} → ${status}: ${detail}`);
  }
}

/** The server could not be reached at all (refused, reset, timed out). */
export class UnreachableError extends Error {
  override name = "UnreachableError";
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach the Baton server at ${url} (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
}

export type RetryPolicy = {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; each later one doubles, up to maxDelayMs, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
};

/** For calls that are safe to repeat (reads, and writes with client-side ids or idempotency keys). */
export const RETRY_BRIEFLY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 3000 };

/** Worth trying again: the server was away, overloaded or restarting. Anything 4xx is the caller's to fix. */
const retriable = (e: unknown) => e instanceof UnreachableError || (e instanceof HttpError && (e.status >= 500 || e.status === 429));

export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(base * (0.5 + random() / 2));
}

export type RequestOptions = { retry?: RetryPolicy; signal?: AbortSignal; timeoutMs?: number };

export class ApiClient {
  constructor(readonly config: ClientConfig = clientConfig()) {}

  /** Headers every call carries (the key when one is set). */
  headers(): Record<string, string> {
    return this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {};
  }

  async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const policy = options.retry ?? { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once<T>(method, path, body, options);
      } catch (e) {
        if (attempt + 1 >= policy.attempts || !retriable(e) || options.signal?.aborted) throw e;
        await new Promise((r) => setTimeout(r, backoffMs(policy, attempt)));
      }
    }
  }

  async #once<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<T> {
    const url = `${this.config.apiUrl}${path}`;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...this.headers(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (options.signal?.aborted) throw e;
      throw new UnreachableError(this.config.apiUrl, e);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    if (!res.ok) {
      const detail = (json as { detail?: unknown } | undefined)?.detail;
      throw new HttpError(method, url, res.status, typeof detail === "string" ? detail : text.slice(0, 500), json);
    }
    return json as T;
  }

  get<T>(path: string, options?: RequestOptions) {
    return this.request<T>("GET", path, undefined, options);
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>("POST", path, body ?? {}, options);
  }
  patch<T>(path: string, body: unknown, options?: RequestOptions) {
    return this.request<T>("PATCH", path, body, options);
  }
  delete<T>(path: string, options?: RequestOptions) {
    return this.request<T>("DELETE", path, undefined, options);
  }

  /** The worker socket's URL for a pool (ws:// or wss://). */
  socketUrl(poolName: string): string {
    const url = new URL(`${this.config.apiUrl}/work_pools/${encodeURIComponent(poolName)}/connect`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
  }
}

/** Answers whether a server is there (GET /health), quickly. */
export async function serverAnswers(client: ApiClient, timeoutMs = 1500): Promise<boolean> {
  try {
    await client.get("/health", { timeoutMs });
    return true;
  } catch {
    return false;
  }
}
