import { basename, relative, sep } from "node:path";
import * as v from "valibot";
import { EventName, RESOURCE_ID, RESOURCE_NAME } from "../../../protocol/events";
import type { EmitEventOptions } from "../runtime/event-build";
import type { ChangeKind, FileState } from "./changes";

/** A change of a file in a watched folder, as its event's payload carries it. */
export interface FileChange {
  change: ChangeKind;
  /** Absolute path. */
  path: string;
  /** From the watched folder, with `/` separators (what `pattern` is matched against). */
  relative_path: string;
  /** Bytes; null once deleted. */
  size: number | null;
  /** Last modification time (ISO 8601); null once deleted. */
  modified: string | null;
}

export const CHANGE_KINDS: readonly ChangeKind[] = ["created", "changed", "deleted"];
export const DEFAULT_EVENT_PREFIX = "file";

/** `file.created`, or with a prefix of the user's `invoices.created`: the kind stays in the name, so triggers can pick one. */
export const fileEventName = (prefix: string, change: ChangeKind) => `${prefix}.${change}`;

/** Why a prefix cannot name events, or undefined when it can. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix.endsWith(".")) return "must not end with '.' (the change is added as `.created`, `.changed`, `.deleted`)";
  const checked = v.safeParse(EventName, fileEventName(prefix, "created"));
  return checked.success ? undefined : checked.issues[0].message;
}

/** The path relative to the watched folder, always with `/`. */
export const relativePath = (root: string, path: string) => relative(root, path).split(sep).join("/");

/** The event of a change: about the file (`file.<absolute path>`), its details in the payload. */
export function fileEvent(root: string, path: string, change: ChangeKind, now: FileState | undefined): FileChange & { resource: Record<string, string> } {
  return {
    change,
    path,
    relative_path: relativePath(root, path),
    size: now ? now.size : null,
    modified: now ? new Date(now.mtimeMs).toISOString() : null,
    resource: { [RESOURCE_ID]: `file.${path}`, [RESOURCE_NAME]: basename(path) },
  };
}

/** emitEvent's options for a change (occurred: when the file last changed, before the quiet moment). */
export function eventOptions(change: ReturnType<typeof fileEvent>, occurred: Date, related: Record<string, string>[]): EmitEventOptions {
  const { resource, ...payload } = change;
  return { resource, related, payload: { ...payload }, occurred };
}
