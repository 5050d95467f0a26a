import { ApiError } from "../errors";

/*
 * A webhook's body: read with a hard size limit (before anything parses it), then turned into the
 * `body` of the template's context by its Content-Type.
 */

const tooLarge = (max: number) => new ApiError(413, `request body over ${max} bytes`);

/**
 * The raw bytes of the body, at most `max`. A Content-Length over the limit is refused before reading;
 * one under it is not trusted: the stream is counted, and reading stops at the first byte past `max`.
 */
export async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > max) throw tooLarge(max);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;
const FORM_TYPE = "application/x-www-form-urlencoded";

/** A form as an object; a key given more than once keeps every value, in order. */
export function formObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/**
 * The body as the template sees it: parsed JSON, a form as an object, or text. An empty body without a
 * Content-Type (a bare ping) is null. 415 for other types; 400 for malformed JSON or bytes that are not UTF-8.
 */
export function parseBody(bytes: Uint8Array, contentType: string | undefined): unknown {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "" && bytes.byteLength === 0) return null;
  const isJson = JSON_TYPE.test(type);
  if (!isJson && type !== FORM_TYPE && !type.startsWith("text/")) {
    throw new ApiError(
      415,
      `send JSON, ${FORM_TYPE} or text/* (got ${type ? JSON.stringify(type) : "no Content-Type"})`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "the body is not valid UTF-8");
  }
  if (isJson) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ApiError(400, `malformed JSON body: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (type === FORM_TYPE) return formObject(new URLSearchParams(text));
  return text;
}
