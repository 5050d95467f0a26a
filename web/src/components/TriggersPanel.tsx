import { For, Show } from "solid-js";
import type { DeploymentTrigger } from "../../../protocol/triggers";
import { describeExpect, describeFiring, describeLabels, describeParameters } from "./triggers.data";
import "./triggers.css";

/**
 * A deployment's triggers, read-only: they are set with the deployment (`baton deploy --trigger`, or
 * `triggers` in POST /api/deployments/), which replaces the whole set, so the page shows how.
 */
export function TriggersPanel(props: { triggers: readonly DeploymentTrigger[] }) {
  return (
    <section aria-labelledby="triggers-heading">
      <h2 id="triggers-heading">Triggers</h2>
      <Show
        when={props.triggers.length}
        fallback={
          <p class="muted">
            No trigger: no event starts a run of this deployment. Deploy it again with <code>--trigger '&lt;event name&gt;'</code> to
            add one.
          </p>
        }
      >
        <ul class="cards">
          <For each={props.triggers}>{(t) => <TriggerCard trigger={t} />}</For>
        </ul>
        <p class="muted">
          Triggers change when the deployment is deployed again (<code>--trigger</code>), which replaces them all.
        </p>
      </Show>
    </section>
  );
}

function TriggerCard(props: { trigger: DeploymentTrigger }) {
  const t = () => props.trigger;
  return (
    <li class="card trigger" aria-label={`Trigger ${t().name ?? describeExpect(t().expect)}`}>
      <div class="card-row">
        <strong>
          <Show when={t().name} fallback={<code>{describeExpect(t().expect)}</code>}>
            {(name) => name()}
          </Show>
        </strong>
        <span class="pill" data-tone={t().enabled ? "ok" : "muted"}>
          {t().enabled ? "Enabled" : "Disabled"}
        </span>
      </div>
      <dl class="facts">
        <dt>Expects</dt>
        <dd>
          <code>{describeExpect(t().expect)}</code>
        </dd>
        <LabelFacts title="Resource labels" lines={describeLabels(t().match)} />
        <LabelFacts title="Related resource" lines={describeLabels(t().match_related)} />
        <dt>Fires</dt>
        <dd>{describeFiring(t())}</dd>
        <dt>Parameters</dt>
        <dd>
          <Show when={describeParameters(t().parameters)} fallback={<span class="muted">the deployment's defaults</span>}>
            {(json) => <pre class="command">{json()}</pre>}
          </Show>
        </dd>
      </dl>
    </li>
  );
}

/** A term of the trigger's facts listing label patterns, one per line; nothing when there are none. */
function LabelFacts(props: { title: string; lines: string[] }) {
  return (
    <Show when={props.lines.length}>
      <dt>{props.title}</dt>
      <dd>
        <For each={props.lines}>{(line) => <code class="trigger-label">{line}</code>}</For>
      </dd>
    </Show>
  );
}
