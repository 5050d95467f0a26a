import { createSignal, For, Index, Match, Show, Switch } from "solid-js";
import { placeErrors } from "../api/field-errors";
import { errorText } from "./Feedback";
import {
  extraOf,
  fieldsOf,
  initialExtraText,
  initialValues,
  parseExtra,
  parameterFieldOf,
  parameterLabel,
  toParameters,
  type Field,
  type FormValues,
} from "./params-form.data";

/** Errors are keyed by field name; the JSON editor's goes under a key no property can have in the form. */
const EXTRA_KEY = " extra";

export interface ParamsFormProps {
  schema: Record<string, unknown> | null;
  defaults: Record<string, unknown>;
  submitLabel: string;
  /** Rejects with the server's ApiError on a refusal; its 422 field errors are shown by the fields. */
  onSubmit: (parameters: Record<string, unknown>) => Promise<void>;
}

const EXTRA_HELP = {
  any: "This flow does not declare its parameters: the object is passed to it as given.",
  unchecked: "This deployment has no parameter schema: the object is passed to the flow unchecked.",
} as const;

/**
 * Parameters of a run: one input per schema property, a JSON object for parameters the schema leaves open
 * (see extraOf), or just the button for a flow that takes none.
 */
export function ParamsForm(props: ParamsFormProps) {
  const fields = () => fieldsOf(props.schema);
  const extra = () => extraOf(props.schema);
  const [values, setValues] = createSignal<FormValues>(initialValues(fields(), props.defaults));
  const [extraText, setExtraText] = createSignal(initialExtraText(fields(), props.defaults));
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [general, setGeneral] = createSignal<string[]>([]);
  const [busy, setBusy] = createSignal(false);

  const collect = (): Record<string, unknown> | undefined => {
    const result = toParameters(fields(), values());
    const found: Record<string, string> = result.ok ? {} : { ...result.errors };
    let more: Record<string, unknown> = {};
    if (extra() !== "none") {
      const parsed = parseExtra(fields(), extraText());
      if (parsed.ok) more = parsed.value;
      else found[EXTRA_KEY] = parsed.error;
    }
    if (!result.ok || found[EXTRA_KEY]) {
      setErrors(found);
      return undefined;
    }
    return { ...more, ...result.parameters };
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
      const placed = placeErrors(error, parameterFieldOf(fields(), extra() !== "none" ? EXTRA_KEY : undefined), errorText, parameterLabel);
      setErrors(placed.byField as Record<string, string>);
      setGeneral(placed.general);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" onSubmit={submit} novalidate>
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
      <Switch>
        <Match when={extra() !== "none"}>
          <div class="field">
            <label for="params-extra">{fields().length ? "Other parameters (JSON object)" : "Parameters (JSON object)"}</label>
            <textarea
              id="params-extra"
              rows={4}
              spellcheck={false}
              value={extraText()}
              placeholder={'{"name": "Ada"}'}
              aria-invalid={errors()[EXTRA_KEY] ? "true" : undefined}
              aria-describedby="params-extra-help params-extra-error"
              onInput={(e) => setExtraText(e.currentTarget.value)}
            />
            <span id="params-extra-help" class="field-help">
              {EXTRA_HELP[extra() as keyof typeof EXTRA_HELP]}
            </span>
            <FieldError id="params-extra-error" message={errors()[EXTRA_KEY]} />
          </div>
        </Match>
        <Match when={fields().length === 0}>
          <p class="muted">This flow takes no parameters.</p>
        </Match>
      </Switch>
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
