import { inspect } from "node:util";

/*
 * What a state carries of a return value or an error: a small JSON summary. Results can be large and
 * need not be JSON at all; the server keeps at most 64 KB with a state, and the dashboard only shows a
 * preview. Values stay in the process (and in the local result cache for cached tasks).
 */

export const MAX_PREVIEW = 1024;
const MAX_STACK = 8 * 1024;
const MAX_MESSAGE = 2000;

export interface ValueSummary {
  type: string;
  preview: string;
}

export interface ErrorSummary {
  type: "error";
  name: string;
  message: string;
  stack: string | null;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value !== "object") return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? name : "object";
}

function render(value: unknown): string {
  if (value === undefined) return "undefined";
  const plain = typeof value !== "object" || value === null || Array.isArray(value) || typeOf(value) === "object";
  if (plain) {
    try {
      // Long values are cut anyway, so the replacer stops copying once the preview is full.
      let budget = MAX_PREVIEW * 4;
      const json = JSON.stringify(value, (_key, v: unknown) => (budget-- > 0 ? v : undefined));
      if (json !== undefined) return json;
    } catch {
      // Cycles and BigInts: inspect below renders them.
    }
  }
  return inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: 50, maxStringLength: MAX_PREVIEW });
}

export function summariseValue(value: unknown): ValueSummary {
  return { type: typeOf(value), preview: clip(render(value), MAX_PREVIEW) };
}

export function summariseError(error: unknown): ErrorSummary {
  if (error instanceof Error) {
    return {
      type: "error",
      name: error.name,
      message: clip(error.message, MAX_MESSAGE),
      stack: error.stack ? clip(error.stack, MAX_STACK) : null,
    };
  }
  return { type: "error", name: typeOf(error), message: clip(render(error), MAX_MESSAGE), stack: null };
}

/** "TypeError: boom", as a failed state's message. */
export const errorMessage = (e: ErrorSummary): string => (e.message ? `${e.name}: ${e.message}` : e.name);

/** The error and its stack, as the log line of a failure. */
export const errorText = (e: ErrorSummary): string => e.stack ?? errorMessage(e);
