import { createSignal, For, Index, Match, Show, Switch } from "solid-js";
import { ApiError } from "../api/client";
import { errorText } from "./Feedback";
import {
  fieldsOf,
  initialValues,
  serverErrorsByField,
  toParameters,
  type Field,
  type FormValues,
} from "./params-form.data";

export interface ParamsFormProps {
  schema: Record<string, unknown> | null;
  defaults: Record<string, unknown>;
  submitLabel: string;
  /** Rejects with the server's ApiError on a refusal; its 422 field errors are shown by the fields. */
  onSubmit: (parameters: Record<string, unknown>) => Promise<void>;
}

/** Parameters of a run, one input per schema property; free JSON when the schema names none. */
export function ParamsForm(props: ParamsFormProps) {
  const fields = () => fieldsOf(props.schema);
  const [values, setValues] = createSignal<FormValues>(initialValues(fields(), props.defaults));
  const [freeJson, setFreeJson] = createSignal("{}");
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [general, setGeneral] = createSignal<string[]>([]);
  const [busy, setBusy] = createSignal(false);

  const collect = (): Record<string, unknown> | undefined => {
    if (fields().length === 0) {
      try {
        const parsed: unknown = JSON.parse(freeJson() || "{}");
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // reported below
      }
      setErrors({ __json: "Must be a JSON object, e.g. {\"name\": \"Ada\"}" });
      return undefined;
    }
    const result = toParameters(fields(), values());
    if (!result.ok) setErrors(result.errors);
    return result.ok ? result.parameters : undefined;
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setErrors({});
    setGeneral([]);
    const parameters = collect();
    if (!parameters) return;
    setBusy(true);
    try {
      await props.onSubmit(parameters);
    } catch (error) {
      const fieldErrors = error instanceof ApiError ? error.errors : [];
      const mapped = serverErrorsByField(fields(), fieldErrors);
      setErrors(mapped.byField);
      setGeneral(mapped.general.length || !Object.keys(mapped.byField).length ? [errorText(error), ...mapped.general] : []);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" onSubmit={submit} novalidate>
      <Show
        when={fields().length > 0}
        fallback={
          <label class="field">
            <span>Parameters (JSON object)</span>
            <textarea
              rows={4}
              value={freeJson()}
              aria-invalid={errors().__json ? "true" : undefined}
              aria-describedby="params-json-error"
              onInput={(e) => setFreeJson(e.currentTarget.value)}
            />
            <FieldError id="params-json-error" message={errors().__json} />
          </label>
        }
      >
        <Index each={fields()}>
          {(field) => (
            <FieldInput
              field={field()}
              value={values()[field().name]}
              error={errors()[field().name]}
              onChange={(v) => setValues({ ...values(), [field().name]: v })}
            />
          )}
        </Index>
      </Show>
      <Show when={general().length}>
        <ul class="note note-error" role="alert">
          <For each={general()}>{(line) => <li>{line}</li>}</For>
        </ul>
      </Show>
      <button type="submit" class="primary" disabled={busy()}>
        {busy() ? "Working…" : props.submitLabel}
      </button>
    </form>
  );
}

function FieldError(props: { id: string; message: string | undefined }) {
  return (
    <span id={props.id} class="field-error" aria-live="polite">
      {props.message ?? ""}
    </span>
  );
}

function FieldInput(props: { field: Field; value: string | boolean | undefined; error?: string; onChange: (v: string | boolean) => void }) {
  const id = () => `param-${props.field.name}`;
  const text = () => (typeof props.value === "string" ? props.value : "");
  const common = () => ({
    id: id(),
    "aria-invalid": props.error ? ("true" as const) : undefined,
    "aria-describedby": `${id()}-help ${id()}-error`,
    required: props.field.required,
  });
  return (
    <div class="field">
      <label for={id()}>
        {props.field.label}
        {props.field.required ? " *" : ""}
        <Show when={props.field.kind !== "json" && props.field.kind !== "enum"}>
          <span class="field-type"> ({props.field.kind})</span>
        </Show>
      </label>
      <Switch>
        <Match when={props.field.kind === "boolean"}>
          <input {...common()} type="checkbox" checked={props.value === true} onChange={(e) => props.onChange(e.currentTarget.checked)} />
        </Match>
        <Match when={props.field.kind === "enum"}>
          <select {...common()} value={text()} onChange={(e) => props.onChange(e.currentTarget.value)}>
            <option value="">{props.field.required ? "Choose…" : "(default)"}</option>
            <For each={props.field.options}>
              {(o) => <option value={JSON.stringify(o)}>{typeof o === "string" ? o : JSON.stringify(o)}</option>}
            </For>
          </select>
        </Match>
        <Match when={props.field.kind === "json"}>
          <textarea {...common()} rows={3} value={text()} placeholder="JSON" onInput={(e) => props.onChange(e.currentTarget.value)} />
        </Match>
        <Match when={true}>
          <input
            {...common()}
            type="text"
            inputmode={props.field.kind === "string" ? undefined : "decimal"}
            value={text()}
            onInput={(e) => props.onChange(e.currentTarget.value)}
          />
        </Match>
      </Switch>
      <span id={`${id()}-help`} class="field-help">
        {props.field.description ?? ""}
      </span>
      <FieldError id={`${id()}-error`} message={props.error} />
    </div>
  );
}
