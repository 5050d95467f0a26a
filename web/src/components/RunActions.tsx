import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import type { FlowRun } from "../../../protocol/flow-runs";
import { isTerminal } from "../../../protocol/states";
import { api } from "../api/client";
import { errorText } from "./Feedback";


/** Parameters typed as JSON, or the reason they are not a JSON object. */
export function parseParameters(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  try {
    const value: unknown = JSON.parse(text || "{}");
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, error: "Parameters must be a JSON object, like {\"name\": \"x\"}." };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Cancel, Retry (a finished deployment run, scheduled again) and Re-run with other parameters. */
export function RunActions(props: { run: FlowRun; onChanged(): void }) {
  const navigate = useNavigate();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [editing, setEditing] = createSignal(false);
  const [params, setParams] = createSignal("");

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      props.onChanged();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const cancel = () => act(() => api.post(`/flow_runs/${props.run.id}/cancel`));
  const retry = () =>
    act(() =>
      api.post(`/flow_runs/${props.run.id}/set_state`, {
        state: { type: "SCHEDULED", state_details: { scheduled_time: new Date().toISOString() } },
        force: true,
      }),
    );
  const rerun = () => {
    const parsed = parseParameters(params());
    if (!parsed.ok) return setError(parsed.error);
    void act(async () => {
      const created = await api.post<FlowRun>(`/deployments/${props.run.deployment_id}/create_flow_run`, { parameters: parsed.value });
      setEditing(false);
      navigate(`/runs/${created.id}`);
    });
  };

  return (
    <div class="run-actions">
      <div class="button-row">
        <Show when={!isTerminal(props.run.state_type) && props.run.state_type !== "CANCELLING"}>
          <button type="button" class="danger" disabled={busy()} onClick={cancel}>
            Cancel run
          </button>
        </Show>
        <Show when={props.run.deployment_id && isTerminal(props.run.state_type)}>
          <button type="button" disabled={busy()} onClick={retry} title="Schedule this same run again on its work pool">
            Retry
          </button>
        </Show>
        <Show when={props.run.deployment_id}>
          <button
            type="button"
            aria-expanded={editing()}
            onClick={() => {
              setParams(JSON.stringify(props.run.parameters, null, 2));
              setEditing(!editing());
            }}
          >
            Re-run with other parameters…
          </button>
        </Show>
      </div>
      <Show when={editing()}>
        <form class="rerun" onSubmit={(e) => (e.preventDefault(), rerun())}>
          <label for="rerun-params">Parameters (JSON) for a new run of this deployment</label>
          <textarea id="rerun-params" rows="8" spellcheck={false} value={params()} onInput={(e) => setParams(e.currentTarget.value)} />
          <div class="button-row">
            <button type="submit" class="primary" disabled={busy()}>
              Start new run
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Close
            </button>
          </div>
        </form>
      </Show>
      <Show when={error()}>{(e) => <p class="note note-error" role="alert">{e()}</p>}</Show>
    </div>
  );
}
