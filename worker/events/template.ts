/*
 * The one templating of webhooks and trigger parameters: `{{ path }}` parts in the strings of a JSON
 * value, filled from a context (`event`, or `body`/`headers`/`query`/…). A string that is exactly one
 * `{{ path }}` becomes the value found, keeping its type (a number stays a number, an object an
 * object); elsewhere each part becomes text. Deliberately not a language (no filters, no code): what
 * users write here comes from other systems' requests.
 *
 * Paths are dotted, with `[n]` for list items and `["key"]` for keys holding dots. A label such as
 * `baton.resource.id` also works dotted: at each step the longest key that exists wins.
 */

const PART = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;

type Segment = string | number;

/** `a.b[0]["c.d"]` → ["a", "b", 0, "c.d"]; null when it is not a path. */
export function parsePath(path: string): Segment[] | null {
  const out: Segment[] = [];
  const re = /([^.[\]"]+)|\[(\d+)\]|\["([^"]*)"\]|(\.)/y;
  let expectKey = true;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return null;
    if (m[1] !== undefined) {
      if (!expectKey) return null;
      out.push(m[1]);
      expectKey = false;
    } else if (m[2] !== undefined) {
      if (out.length === 0) return null;
      out.push(Number(m[2]));
    } else if (m[3] !== undefined) {
      out.push(m[3]);
      expectKey = false;
    } else {
      if (expectKey) return null;
      expectKey = true;
    }
  }
  // A path ends on a key or an index, never on a dot.
  return out.length > 0 && !expectKey ? out : null;
}

/** The value at `path` in `context`, or undefined. */
export function lookup(context: unknown, path: string): unknown {
  const segments = parsePath(path);
  return segments ? walk(context, segments) : undefined;
}

function walk(value: unknown, segments: Segment[]): unknown {
  if (segments.length === 0) return value;
  if (value === null || typeof value !== "object") return undefined;
  const first = segments[0]!;
  if (typeof first === "number") return Array.isArray(value) ? walk(value[first], segments.slice(1)) : undefined;
  const record = value as Record<string, unknown>;
  // Longest dotted key first, so `resource.baton.resource.id` finds the label "baton.resource.id".
  for (let n = segments.length; n >= 1; n--) {
    const keys = segments.slice(0, n);
    if (keys.some((k) => typeof k !== "string")) continue;
    const key = keys.join(".");
    if (Object.hasOwn(record, key)) return walk(record[key], segments.slice(n));
  }
  return undefined;
}

const asText = (value: unknown): string =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);

/**
 * `template` with every `{{ path }}` filled from `context`. A string that needs a value that is not there
 * (undefined or null) becomes null as a whole, whether the path is all of it or a part: `"order {{ x }}"`
 * turning into `"order "` would look like a value and hide the miss. Each such path is added to
 * `missing`, for callers that refuse (a webhook's event name) or explain (a trigger's failure).
 */
export function render(template: unknown, context: unknown, missing: string[] = []): unknown {
  if (typeof template === "string") {
    const whole = WHOLE.exec(template);
    if (whole) {
      const value = lookup(context, whole[1]!);
      if (value === undefined || value === null) missing.push(whole[1]!);
      return value ?? null;
    }
    let complete = true;
    const text = template.replace(PART, (_, path: string) => {
      const value = lookup(context, path);
      if (value === undefined || value === null) {
        missing.push(path);
        complete = false;
      }
      return asText(value);
    });
    return complete ? text : null;
  }
  if (Array.isArray(template)) return template.map((t) => render(t, context, missing));
  if (template !== null && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, t]) => [k, render(t, context, missing)]));
  }
  return template;
}

/**
 * What is wrong with a template, for a 422 when it is saved: paths that do not parse, or that start
 * outside `roots` (a trigger's parameters may only read `event`).
 */
export function templateErrors(template: unknown, roots: readonly string[], at = ""): { path: string; message: string }[] {
  if (typeof template === "string") {
    const errors: { path: string; message: string }[] = [];
    for (const [, path] of template.matchAll(PART)) {
      const segments = parsePath(path!);
      if (!segments) errors.push({ path: at, message: `"{{ ${path} }}" is not a path (use a.b, a[0] or a["b.c"])` });
      else if (!roots.includes(String(segments[0]))) errors.push({ path: at, message: `"{{ ${path} }}" must start with ${roots.join(" or ")}` });
    }
    return errors;
  }
  if (Array.isArray(template)) return template.flatMap((t, i) => templateErrors(t, roots, `${at}[${i}]`));
  if (template !== null && typeof template === "object") {
    return Object.entries(template).flatMap(([k, t]) => templateErrors(t, roots, at ? `${at}.${k}` : k));
  }
  return [];
}
