import { A, useLocation, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { For, onCleanup, Show, Suspense } from "solid-js";
import { apiKey, clearApiKey, onUnauthorized } from "../api/key";
import { live } from "../live";
import { navPages } from "../routes";
import { HealthIndicator } from "./HealthIndicator";

export function Layout(props: RouteSectionProps) {
  let main: HTMLElement | undefined;
  const navigate = useNavigate();
  const location = useLocation();
  // Any 401 (no key, or a key that was deleted) goes to the login page, which comes back here after.
  onUnauthorized(() => {
    if (location.pathname === "/login") return;
    clearApiKey();
    live.stop();
    navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  });
  onCleanup(() => onUnauthorized(undefined));
  // The stream opens while the page's code loads, so that the page subscribes before it loads (live/stream.ts).
  if (location.pathname !== "/login") live.warm();

  return (
    <div class="shell">
      {/* Handled here rather than by the browser: the router would otherwise turn "#main" into a
          navigation and focus would stay on the link. */}
      <a
        class="skip-link"
        href="#main"
        on:click={(event) => {
          event.preventDefault();
          main?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="sidebar">
        <a class="brand" href="/">
          Baton
        </a>
        <nav class="nav" aria-label="Main">
          <ul>
            <For each={navPages}>
              {(page) => (
                <li>
                  <A href={page.path} end={page.path === "/"}>
                    {page.title}
                  </A>
                </li>
              )}
            </For>
          </ul>
        </nav>
        <HealthIndicator />
        <Show when={apiKey()}>
          <button
            type="button"
            class="logout"
            onClick={() => {
              clearApiKey();
              live.stop();
              navigate("/login");
            }}
          >
            Log out
          </button>
        </Show>
      </header>
      <main id="main" class="content" tabindex="-1" ref={main}>
        <Suspense>{props.children}</Suspense>
      </main>
    </div>
  );
}
