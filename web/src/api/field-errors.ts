import { ApiError, type FieldError } from "./client";

/*
 * A 422's `errors[].path` names the server's view of the request (`body.0.schedule`,
 * `body.schedules.0.schedule`, `body.parameters.bogus`); a form speaks of its own fields. These helpers
 * turn one into the other, so a form shows each problem by the field it concerns, in the form's words.
 */

/** A path as the form sees it: without the request's `body` root and the positions of arrays it wraps fields in. */
export function formPath(path: string | undefined): string[] {
  return (path ?? "").split(".").filter((seg, i) => seg !== "" && !(i === 0 && seg === "body") && !/^\d+$/.test(seg));
}

export interface PlacedErrors<K extends string> {
  /** The first message for each field of the form. */
  byField: Partial<Record<K, string>>;
  /** What fits no field, said without the server's paths where a label is known. */
  general: string[];
}

/**
 * Places a failed request's 422 field errors by the form's fields. `fieldOf` answers the field for a
 * problem (path as formPath gives it, and the message), or undefined; `label` words the others. An error
 * without field errors (a network failure, a 500, a refusal in prose) is one general line.
 */
export function placeErrors<K extends string>(
  error: unknown,
  fieldOf: (path: string[], message: string) => K | undefined,
  fallbackText: (error: unknown) => string,
  label: (path: string[]) => string | undefined = () => undefined,
): PlacedErrors<K> {
  const errors: readonly FieldError[] = error instanceof ApiError ? error.errors : [];
  if (!errors.length) return { byField: {}, general: [fallbackText(error)] };
  const byField: Partial<Record<K, string>> = {};
  const general: string[] = [];
  for (const e of errors) {
    const path = formPath(e.path);
    const field = fieldOf(path, e.message);
    if (field !== undefined) byField[field] ??= e.message;
    else {
      const name = label(path) ?? path.join(".");
      general.push(name ? `${name}: ${e.message}` : e.message);
    }
  }
  return { byField, general };
}
