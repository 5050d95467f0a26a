/** What `baton watch` reports about a file. */
export type ChangeKind = "created" | "changed" | "deleted";

/** What is remembered of a file between changes. */
export interface FileState {
  size: number;
  mtimeMs: number;
}

/**
 * What happened to a file, from what was known of it before and what is on disk once it has been quiet
 * for a moment. Deciding from the two states, rather than from the watcher's raw notifications, makes an
 * editor's save (write to a temporary file, rename over, touch) one change, a file created and removed
 * again within the moment nothing, and a notification that changed nothing (a chmod, a read) nothing.
 */
export function classify(before: FileState | undefined, now: FileState | undefined): ChangeKind | undefined {
  if (!before) return now ? "created" : undefined;
  if (!now) return "deleted";
  return before.size !== now.size || before.mtimeMs !== now.mtimeMs ? "changed" : undefined;
}
