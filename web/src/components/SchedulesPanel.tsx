import { createSignal, For, Show } from "solid-js";
import type { DeploymentResponse } from "../../../protocol/deployments";
import type { DeploymentSchedule } from "../../../protocol/schedules";
import { api } from "../api/client";
import { createSchedule, deleteSchedule, updateSchedule } from "../pages/Deployments.data";
import { errorText } from "./Feedback";
import { ScheduleEditor } from "./ScheduleEditor";
import { describeSchedule, draftOf, emptyDraft } from "./schedule.data";
import { noScheduleText } from "./triggers.data";

/** A deployment's schedules: list, add, edit, switch on and off, delete. `changed` reloads the deployment. */
export function SchedulesPanel(props: { deployment: DeploymentResponse; changed: () => void }) {
  const [editing, setEditing] = createSignal<string | "new" | null>(null);
  const [error, setError] = createSignal<string>();
  const id = () => props.deployment.id;

  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      props.changed();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const remove = (s: DeploymentSchedule) => {
    if (confirm(`Delete the schedule "${describeSchedule(s.schedule)}"? Its future runs are removed too.`)) {
      void act(() => deleteSchedule(api, id(), s.id));
    }
  };

  return (
    <section aria-labelledby="schedules-heading">
      <h2 id="schedules-heading">Schedules</h2>
      <Show when={error()}>
        <p class="note note-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={props.deployment.schedules.length === 0 && editing() !== "new"}>
        <p class="muted">{noScheduleText(props.deployment.triggers.length)}</p>
      </Show>
      <ul class="cards">
        <For each={props.deployment.schedules}>
          {(s) => (
            <li class="card">
              <Show
                when={editing() === s.id}
                fallback={
                  <div class="card-row">
                    <span>
                      <strong>{describeSchedule(s.schedule)}</strong>
                      <span class="pill" data-tone={s.active ? "ok" : "muted"}>
                        {s.active ? "Active" : "Inactive"}
                      </span>
                    </span>
                    <span class="actions">
                      <button type="button" onClick={() => act(() => updateSchedule(api, id(), s.id, { active: !s.active }))}>
                        {s.active ? "Pause" : "Activate"}
                      </button>
                      <button type="button" onClick={() => setEditing(s.id)}>
                        Edit
                      </button>
                      <button type="button" class="danger" onClick={() => remove(s)}>
                        Delete
                      </button>
                    </span>
                  </div>
                }
              >
                <ScheduleEditor
                  initial={draftOf(s)}
                  saveLabel="Save schedule"
                  onCancel={() => setEditing(null)}
                  onSave={async (body) => {
                    await updateSchedule(api, id(), s.id, body);
                    setEditing(null);
                    props.changed();
                  }}
                />
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show
        when={editing() === "new"}
        fallback={
          <button type="button" onClick={() => setEditing("new")}>
            Add schedule
          </button>
        }
      >
        <div class="card">
          <ScheduleEditor
            initial={emptyDraft()}
            saveLabel="Add schedule"
            onCancel={() => setEditing(null)}
            onSave={async (body) => {
              await createSchedule(api, id(), body);
              setEditing(null);
              props.changed();
            }}
          />
        </div>
      </Show>
    </section>
  );
}
