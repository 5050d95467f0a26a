import { apiUrlNearby, batonApiAt } from "./api-probe";
import { clientConfig, type ClientConfig } from "./config";
import { explained, isBatonHealth, notBatonApi, refusedKey, type Explanation } from "./problems";

/**
 * Own fields an error keeps for code, left out of how Node prints it (an uncaught error in a script shows
 * its message and stack, not a dump of the response under them).
 */
function unlisted(error: Error, ...keys: string[]): void {
  for (const key of keys) Object.defineProperty(error, key, { enumerable: false });
}

/**
 * An answer of the server that is not a success. Keeps the method, URL and status (as ofetch does) and
 * the server's `detail`, so that an error printed by the CLI says what was asked and what went wrong.
 * A refusal the user fixes (the key) carries its `explanation`, which is then its message.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly detail: string,
    readonly body: unknown,
    readonly explanation?: Explanation,
  ) {
    super(explanation ? explained(explanation) : `${method} ${url} → ${status}: ${detail}`);
    unlisted(this, "method", "url", "status", "detail", "body", "explanation");
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
    unlisted(this, "url");
  }
}

/**
 * Something answers at the configured URL, but not the Baton API (the server's root without /api, a
 * dashboard page, another program on the port). Not an HttpError: its status says nothing about the
 * thing asked for (a 404 here is not "no such pool"), and asking again will not help.
 */
export class NotBatonApiError extends Error {
  override name = "NotBatonApiError";
  readonly explanation: Explanation;
  constructor(
    readonly apiUrl: string,
    /** What answered instead, e.g. "POST http://localhost:4200/flows/ answered HTTP 405, empty". */
    readonly answered: string,
    /** Where the API answers instead, when it was found nearby. */
    readonly suggestion: string | undefined,
  ) {
    const explanation = notBatonApi(apiUrl, answered, suggestion);
    super(explained(explanation));
    this.explanation = explanation;
    unlisted(this, "apiUrl", "answered", "suggestion", "explanation");
  }
}

/**
 * Whether an answer below 500 cannot be the Baton API's, which answers JSON everywhere and a `{detail}`
 * with every error: "yes" for a page or text, or a 404/405 without a detail. A 404 "no route for …" is the
 * API's own answer, which a wrong path under a right server also gets: "check" asks the API's /health.
 * 5xx pages come from proxies in front of a server that is away: those stay HttpErrors, retried as such.
 */
function notTheApi(status: number, contentType: string, text: string, json: unknown, isJson: boolean): "yes" | "check" | "no" {
  if (status >= 500) return "no";
  if (text.trim() !== "" && (!isJson || /^text\/html/i.test(contentType))) return "yes";
  if (status !== 404 && status !== 405) return "no";
  const detail = (json as { detail?: unknown } | undefined)?.detail;
  if (typeof detail !== "string") return "yes";
  return status === 404 && detail.startsWith("no route for ") ? "check" : "no";
}

/** An answer in a few words, for NotBatonApiError. */
function describeAnswer(status: number, contentType: string, text: string, json: unknown, isJson: boolean): string {
  const body = text.trim();
  if (/^text\/html/i.test(contentType) || /^<(!doctype|html)/i.test(body)) return `an HTML page (HTTP ${status})`;
  if (body === "") return `HTTP ${status}, empty`;
  const detail = isJson ? (json as { detail?: unknown } | undefined)?.detail : undefined;
  const said = typeof detail === "string" ? detail : body.replace(/\s+/g, " ");
  return `HTTP ${status}: ${said.length > 80 ? `${said.slice(0, 80)}…` : said}`;
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
    let isJson = true;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
      isJson = false;
    }
    const contentType = res.headers.get("content-type") ?? "";
    const verdict = notTheApi(res.status, contentType, text, json, isJson);
    if (verdict === "yes" || (verdict === "check" && !(await batonApiAt(this.config.apiUrl, options.signal)))) {
      const answered = `${method} ${url} answered ${describeAnswer(res.status, contentType, text, json, isJson)}`;
      throw new NotBatonApiError(this.config.apiUrl, answered, await apiUrlNearby(this.config.apiUrl, options.signal));
    }
    if (!res.ok) {
      const given = (json as { detail?: unknown } | undefined)?.detail;
      const detail = typeof given === "string" ? given : text.slice(0, 500);
      const explanation = res.status === 401 || res.status === 403 ? refusedKey(this.config.apiUrl, res.status, !!this.config.apiKey, detail) : undefined;
      throw new HttpError(method, url, res.status, detail, json, explanation);
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

/** Answers whether the Baton API is there (GET /health answers as Baton's), quickly. */
export async function serverAnswers(client: ApiClient, timeoutMs = 1500): Promise<boolean> {
  return (await checkApi(client, timeoutMs)).answers;
}

export type ApiCheck = { answers: true; version: string } | { answers: false; error: Error };

/**
 * Asks GET /health and checks that the Baton API answered it (`{ status: "ok", version }`): a server that
 * answers something else at that URL (the dashboard's page, another program) is not one.
 */
export async function checkApi(client: ApiClient, timeoutMs = 1500): Promise<ApiCheck> {
  try {
    const body = await client.get<unknown>("/health", { timeoutMs });
    if (isBatonHealth(body)) return { answers: true, version: body.version };
    const answered = `GET ${client.config.apiUrl}/health answered JSON that is not the Baton API's health`;
    return { answers: false, error: new NotBatonApiError(client.config.apiUrl, answered, await apiUrlNearby(client.config.apiUrl)) };
  } catch (error) {
    return { answers: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}
