// The file watcher's public surface (`watch` from "baton", `baton watch`).
export { watch, type WatchOptions, type WatchNotice, type Watcher } from "./watcher";
export type { FileChange } from "./file-event";
