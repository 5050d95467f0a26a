import { useNavigate, useSearchParams } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { createClient } from "../api/client";
import { authHeaders, setApiKey } from "../api/key";
import { errorText } from "../components/Feedback";
import { Page } from "../components/Page";

/** Asked for when the server answers 401: the key is checked once, then kept for this browser session. */
export default function Login() {
  const [params] = useSearchParams<{ next?: string }>();
  const navigate = useNavigate();
  const [key, setKey] = createSignal("");
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!key().trim()) return setError("Paste an API key");
    setBusy(true);
    setError(undefined);
    try {
      // A call that needs a key, made with the typed one and without the app's 401 redirect.
      await createClient({ headers: () => authHeaders(key().trim()) }).get("/api_keys/");
      setApiKey(key());
      const next = params.next?.startsWith("/") && !params.next.startsWith("//") ? params.next : "/";
      navigate(next, { replace: true });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Log in">
      <p class="lead">This server needs an API key.</p>
      <form class="form narrow" onSubmit={submit} novalidate>
        <label class="field">
          <span>API key</span>
          <input type="password" autocomplete="current-password" value={key()} onInput={(e) => setKey(e.currentTarget.value)} autofocus />
        </label>
        <Show when={error()}>
          <p class="note note-error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" class="primary" disabled={busy()}>
          {busy() ? "Checking…" : "Log in"}
        </button>
      </form>
      <p class="muted">
        The key is kept for this browser tab's session only. Whoever runs the server has one (the <code>BATON_API_KEY</code> secret) or can
        create one with <code>POST /api/api_keys/</code>.
      </p>
    </Page>
  );
}
