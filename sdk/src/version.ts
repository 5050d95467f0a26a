import pkg from "../package.json" with { type: "json" };

/** Version of the `baton` package, read from its package.json so the two never disagree. */
export const VERSION: string = pkg.version;
