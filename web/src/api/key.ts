import { createSignal } from "solid-js";

/**
 * The API key this browser uses. Kept in sessionStorage so it lasts for the tab's session only: a key is
 * a credential, and a dashboard left open on a shared machine should not keep it after the tab closes.
 */
const STORAGE_KEY = "baton.apiKey";

function readStored(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage disabled (privacy mode): the key lives in memory only
  }
}

const [key, setKeySignal] = createSignal<string | null>(readStored());

/** The key in use, or null when none is (an open server). Reactive, so the log-out button follows it. */
export const apiKey = key;

export function setApiKey(value: string): void {
  const trimmed = value.trim();
  try {
    globalThis.sessionStorage?.setItem(STORAGE_KEY, trimmed);
  } catch {
    // see readStored
  }
  setKeySignal(trimmed);
}

export function clearApiKey(): void {
  try {
    globalThis.sessionStorage?.removeItem(STORAGE_KEY);
  } catch {
    // see readStored
  }
  setKeySignal(null);
}

/** Headers that carry the key, if one is in use. */
export function authHeaders(value: string | null = key()): Record<string, string> {
  return value ? { authorization: `Bearer ${value}` } : {};
}

/** Where the app goes when the server refuses the key: set by the app shell (the router lives there). */
let unauthorizedHandler: (() => void) | undefined;
export function onUnauthorized(handler: (() => void) | undefined): void {
  unauthorizedHandler = handler;
}
export function notifyUnauthorized(): void {
  unauthorizedHandler?.();
}
