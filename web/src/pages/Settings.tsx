import { createResource, createSignal, For, Show } from "solid-js";
import type { CreatedApiKey } from "../../../protocol/auth";
import { api } from "../api/client";
import { apiKey, setApiKey } from "../api/key";
import { Command } from "../components/Command";
import { errorText, Loaded } from "../components/Feedback";
import { Page } from "../components/Page";
import { Time } from "../components/Time";
import { createKey, deleteKey, loadKeys } from "./Settings.data";

export default function Settings() {
  const [keys, { refetch }] = createResource(() => loadKeys(api));
  const [name, setName] = createSignal("");
  const [created, setCreated] = createSignal<CreatedApiKey>();
  const [error, setError] = createSignal<string>();

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!name().trim()) return setError("Give the key a name, e.g. the machine or person that uses it");
    setError(undefined);
    try {
      const key = await createKey(api, name().trim());
      // The first stored key turns authentication on: without it, this very tab would be locked out.
      if (!apiKey()) setApiKey(key.key);
      setCreated(key);
      setName("");
      refetch();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const remove = async (id: string, keyName: string) => {
    if (!confirm(`Delete the key "${keyName}"? Whatever uses it is refused from now on.`)) return;
    try {
      await deleteKey(api, id);
      refetch();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Page title="Settings">
      <h2>API keys</h2>
      <p>
        Clients send a key as <code>Authorization: Bearer &lt;key&gt;</code>; the CLI and workers read it from{" "}
        <code>BATON_API_KEY</code>. Keys are stored hashed: a key is shown once, when it is created.
      </p>
      <Loaded resource={keys} retry={refetch}>
        {(list) => (
          <Show
            when={list.length > 0}
            fallback={
              <p class="muted">
                <Show
                  when={apiKey()}
                  fallback="No stored keys: this server is open to anyone who can reach it. Creating the first key turns authentication on (this browser keeps using it until you log out)."
                >
                  No stored keys: this browser uses the server's own key (its BATON_API_KEY). Keys made here can be revoked one by one.
                </Show>
              </p>
            }
          >
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Starts with</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={list}>
                    {(k) => (
                      <tr>
                        <th scope="row">{k.name}</th>
                        <td>
                          <code>{k.prefix}…</code>
                        </td>
                        <td>
                          <Time value={k.created} />
                        </td>
                        <td>
                          <Time value={k.last_used} fallback="never" />
                        </td>
                        <td>
                          <button type="button" class="danger" onClick={() => remove(k.id, k.name)} aria-label={`Delete key ${k.name}`}>
                            Delete
                          </button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
        )}
      </Loaded>
      <Show when={created()}>
        {(k) => (
          <div class="note note-ok" role="status">
            <p>
              Key <strong>{k().name}</strong> created. Copy it now: it is not shown again.
            </p>
            <Command>{`export BATON_API_KEY=${k().key}`}</Command>
          </div>
        )}
      </Show>
      <form class="inline-form" onSubmit={create} novalidate>
        <label class="field">
          <span>New key name</span>
          <input type="text" value={name()} placeholder="ci" onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Create key
        </button>
      </form>
      <Show when={error()}>
        <p class="note note-error" role="alert">
          {error()}
        </p>
      </Show>
      <p class="muted">A deployed server can also take one key from a secret:</p>
      <Command>npx wrangler secret put BATON_API_KEY</Command>
    </Page>
  );
}
