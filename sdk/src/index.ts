// The public surface of the `baton` package; everything else is internal.
export { VERSION } from "./version";
export * from "./runtime";
