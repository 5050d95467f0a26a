import { createResource, createSignal, For, Show } from "solid-js";
import { api } from "../api/client";
import { Command } from "../components/Command";
import { Empty, errorText, Loaded } from "../components/Feedback";
import { Page } from "../components/Page";
import { Time } from "../components/Time";
import { createPool, loadPools, parseConcurrency, poolSummary, setPoolConcurrency, setPoolPaused, type PoolHealth } from "./WorkPools.data";

export default function WorkPools() {
  const [pools, { refetch }] = createResource(() => loadPools(api));
  return (
    <Page title="Work pools">
      <Loaded resource={pools} retry={refetch}>
        {(list) => (
          <Show
            when={list.length > 0}
            fallback={
              <Empty title="No work pools yet">
                <p>A pool is where deployments send their runs and workers pick them up. Create one below, then start a worker:</p>
                <Command>npx baton worker start --pool my-pool</Command>
              </Empty>
            }
          >
            <For each={list}>{(h) => <PoolCard health={h} changed={refetch} />}</For>
          </Show>
        )}
      </Loaded>
      <CreatePool created={refetch} />
    </Page>
  );
}

function PoolCard(props: { health: PoolHealth; changed: () => void }) {
  const [error, setError] = createSignal<string>();
  const [limit, setLimit] = createSignal(String(props.health.pool.concurrency_limit ?? ""));
  const pool = () => props.health.pool;
  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      props.changed();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const saveLimit = (event: SubmitEvent) => {
    event.preventDefault();
    const parsed = parseConcurrency(limit());
    if (!parsed.ok) return setError(parsed.error);
    void act(() => setPoolConcurrency(api, pool().name, parsed.value));
  };
  const summary = () => poolSummary(props.health);
  return (
    <section class="card" aria-labelledby={`pool-${pool().id}`}>
      <div class="card-row">
        <h2 id={`pool-${pool().id}`} class="card-title">
          {pool().name}
        </h2>
        <span class="pill" data-tone={summary().tone}>
          {summary().text}
        </span>
        <button type="button" onClick={() => act(() => setPoolPaused(api, pool().name, !pool().is_paused))}>
          {pool().is_paused ? "Resume" : "Pause"}
        </button>
      </div>
      <Show when={pool().description}>
        <p class="muted">{pool().description}</p>
      </Show>
      <dl class="facts">
        <dt>Runs waiting</dt>
        <dd>{props.health.waiting} scheduled</dd>
        <dt>Concurrency</dt>
        <dd>
          <form class="inline-form" onSubmit={saveLimit}>
            <label>
              <span class="visually-hidden">Concurrency limit of {pool().name}</span>
              <input type="text" inputmode="numeric" size="6" value={limit()} placeholder="no limit" onInput={(e) => setLimit(e.currentTarget.value)} />
            </label>
            <button type="submit">Set</button>
          </form>
        </dd>
      </dl>
      <Show when={error()}>
        <p class="note note-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show
        when={props.health.workers.length > 0}
        fallback={
          <>
            <p class="muted">No worker has connected to this pool. Start one:</p>
            <Command>{`npx baton worker start --pool ${pool().name}`}</Command>
          </>
        }
      >
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Status</th>
                <th scope="col">Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.health.workers}>
                {(w) => (
                  <tr>
                    <th scope="row">{w.name}</th>
                    <td>
                      <span class="pill" data-tone={w.status === "ONLINE" ? "ok" : "muted"}>
                        {w.status === "ONLINE" ? "Online" : "Offline"}
                      </span>
                    </td>
                    <td>
                      <Time value={w.last_heartbeat_time} />
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}

function CreatePool(props: { created: () => void }) {
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal<string>();
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!name().trim()) return setError("Give the pool a name");
    setError(undefined);
    try {
      await createPool(api, { name: name().trim(), description: null, type: "process", is_paused: false, concurrency_limit: null, base_job_template: {} });
      setName("");
      props.created();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section aria-labelledby="create-pool">
      <h2 id="create-pool">Create a work pool</h2>
      <form class="inline-form" onSubmit={submit} novalidate>
        <label class="field">
          <span>Name</span>
          <input type="text" value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder="my-pool" aria-invalid={error() ? "true" : undefined} />
        </label>
        <button type="submit" class="primary">
          Create
        </button>
      </form>
      <Show when={error()}>
        <p class="note note-error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}
