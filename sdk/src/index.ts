// The public surface of the `baton` package; everything else is internal.
export { VERSION } from "./version";
export * from "./runtime";
export { emitEvent, flushEvents, type EmitEventOptions, type EmittedEvent } from "./runtime/emit-event";
export { watch, type WatchOptions, type FileChange, type Watcher } from "./watch";
