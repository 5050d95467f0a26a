import { createSignal, For, Match, Show, Switch } from "solid-js";
import { CATCHUP_POLICIES, type DeploymentScheduleCreate } from "../../../protocol/schedules";
import { placeErrors } from "../api/field-errors";
import { errorText } from "./Feedback";
import { bodyOf, scheduleFieldOf, type ScheduleDraft, type ScheduleField, type ScheduleKind } from "./schedule.data";

const KINDS: { kind: ScheduleKind; label: string }[] = [
  { kind: "interval", label: "Interval" },
  { kind: "cron", label: "Cron" },
  { kind: "rrule", label: "RRule" },
];

const CATCHUP_LABELS = { latest: "Run the latest missed slot once", all: "Run every missed slot", none: "Skip missed slots" };

/** Create or edit one schedule; `onSave` gets the API body and rejects with the server's refusal. */
export function ScheduleEditor(props: {
  initial: ScheduleDraft;
  saveLabel: string;
  onSave: (body: DeploymentScheduleCreate) => Promise<void>;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = createSignal<ScheduleDraft>({ ...props.initial });
  const [error, setError] = createSignal<string>();
  /** The server's refusals, by the field they concern (shown under it). */
  const [fieldErrors, setFieldErrors] = createSignal<Partial<Record<ScheduleField, string>>>({});
  const [busy, setBusy] = createSignal(false);
  const set = <K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]) => setDraft({ ...draft(), [key]: value });
  const uid = Math.random().toString(36).slice(2, 8);

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = bodyOf(draft());
    setFieldErrors({});
    if (!result.ok) return setError(result.error);
    setError(undefined);
    setBusy(true);
    try {
      await props.onSave(result.body);
    } catch (e) {
      const placed = placeErrors(e, scheduleFieldOf(draft().kind), errorText, () => "Schedule");
      setFieldErrors(placed.byField);
      setError(placed.general.join(" ") || undefined);
    } finally {
      setBusy(false);
    }
  };

  const errorId = (field: ScheduleField) => `schedule-${uid}-${field}-error`;
  const invalid = (field: ScheduleField) => ({
    "aria-invalid": fieldErrors()[field] ? ("true" as const) : undefined,
    "aria-describedby": errorId(field),
  });
  const Problem = (p: { field: ScheduleField }) => (
    <span id={errorId(p.field)} class="field-error" aria-live="polite">
      {fieldErrors()[p.field]}
    </span>
  );

  return (
    <form class="form schedule-editor" onSubmit={save} novalidate>
      <fieldset class="segmented">
        <legend>Kind</legend>
        <For each={KINDS}>
          {(k) => (
            <label>
              <input type="radio" name={`kind-${uid}`} checked={draft().kind === k.kind} onChange={() => set("kind", k.kind)} />
              {k.label}
            </label>
          )}
        </For>
      </fieldset>
      <Switch>
        <Match when={draft().kind === "interval"}>
          <div class="field-row">
            <label class="field">
              <span>Every</span>
              <input type="number" min="1" value={draft().interval} onInput={(e) => set("interval", e.currentTarget.value)} {...invalid("interval")} />
              <Problem field="interval" />
            </label>
            <label class="field">
              <span>Unit</span>
              <select value={draft().intervalUnit} onChange={(e) => set("intervalUnit", e.currentTarget.value as ScheduleDraft["intervalUnit"])}>
                <For each={["seconds", "minutes", "hours", "days"]}>{(u) => <option value={u}>{u}</option>}</For>
              </select>
            </label>
          </div>
        </Match>
        <Match when={draft().kind === "cron"}>
          <label class="field">
            <span>Cron expression (5 fields, or 6 with seconds first)</span>
            <input type="text" value={draft().cron} onInput={(e) => set("cron", e.currentTarget.value)} placeholder="0 9 * * 1-5" {...invalid("cron")} />
            <Problem field="cron" />
          </label>
        </Match>
        <Match when={draft().kind === "rrule"}>
          <label class="field">
            <span>RFC 5545 recurrence rule</span>
            <textarea rows={2} value={draft().rrule} onInput={(e) => set("rrule", e.currentTarget.value)} {...invalid("rrule")} />
            <Problem field="rrule" />
          </label>
        </Match>
      </Switch>
      <div class="field-row">
        <label class="field">
          <span>Time zone</span>
          <input type="text" value={draft().timezone} onInput={(e) => set("timezone", e.currentTarget.value)} placeholder="UTC" {...invalid("timezone")} />
          <Problem field="timezone" />
        </label>
        <label class="field">
          <span>Missed slots</span>
          <select value={draft().catchup} onChange={(e) => set("catchup", e.currentTarget.value as ScheduleDraft["catchup"])}>
            <For each={CATCHUP_POLICIES}>{(c) => <option value={c}>{CATCHUP_LABELS[c]}</option>}</For>
          </select>
          <Problem field="catchup" />
        </label>
      </div>
      <label class="check">
        <input type="checkbox" checked={draft().active} onChange={(e) => set("active", e.currentTarget.checked)} />
        Active
      </label>
      <Problem field="active" />
      <Show when={error()}>
        <p class="note note-error" role="alert">
          {error()}
        </p>
      </Show>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy()}>
          {busy() ? "Saving…" : props.saveLabel}
        </button>
        <Show when={props.onCancel}>
          {(cancel) => (
            <button type="button" onClick={() => cancel()()}>
              Cancel
            </button>
          )}
        </Show>
      </div>
    </form>
  );
}
