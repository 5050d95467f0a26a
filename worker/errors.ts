import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "../protocol/common";

/** The one error type routes throw; `onError` turns it (and anything else) into `{ detail, errors }`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: string,
    readonly errors?: ErrorBody["errors"],
  ) {
    super(detail);
  }
}

/** A 422 whose detail reads like valid()'s: the first problem, with every problem given in `errors`. */
export function invalidFields(errors: NonNullable<ErrorBody["errors"]>): ApiError {
  const first = errors[0]!;
  return new ApiError(422, `invalid ${first.path}: ${first.message}`, errors);
}

export const notFound = (what: string, id: string) => new ApiError(404, `${what} ${JSON.stringify(id)} not found`);

export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    const body: ErrorBody = err.errors ? { detail: err.detail, errors: err.errors } : { detail: err.detail };
    return c.json(body, err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return c.json({ detail: err.message || "request refused" } satisfies ErrorBody, status);
  }
  console.error("unhandled error", c.req.method, c.req.path, err);
  return c.json({ detail: "internal error" } satisfies ErrorBody, 500);
}

/** The value, or a 404 naming what was looked for. */
export function found<T>(value: T | undefined | null, what: string, id: string): T {
  if (value == null) throw notFound(what, id);
  return value;
}
