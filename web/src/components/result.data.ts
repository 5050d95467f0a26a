/**
 * What the run page says about a run's result summary (the SDK records `{type, preview}` for a value and
 * `{type: "error", name, message, stack}` for an error): a sentence and the text to show, rather than the
 * summary's JSON. Anything else (a client other than Baton's SDK) is shown as JSON.
 */
export type ResultView =
  | { kind: "nothing"; text: string }
  | { kind: "value"; type: string; text: string }
  | { kind: "error"; title: string; text: string | null }
  | { kind: "json"; text: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function resultView(data: unknown): ResultView {
  if (isRecord(data) && data.type === "error" && typeof data.name === "string" && typeof data.message === "string") {
    return { kind: "error", title: data.message ? `${data.name}: ${data.message}` : data.name, text: typeof data.stack === "string" ? data.stack : null };
  }
  if (isRecord(data) && typeof data.type === "string" && typeof data.preview === "string" && Object.keys(data).length === 2) {
    if (data.type === "undefined") return { kind: "nothing", text: "The flow returned nothing." };
    return { kind: "value", type: data.type, text: data.preview };
  }
  return { kind: "json", text: JSON.stringify(data, null, 2) };
}
