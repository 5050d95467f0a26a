import { A, type RouteSectionProps } from "@solidjs/router";
import { For, Suspense } from "solid-js";
import { navPages } from "../routes";
import { HealthIndicator } from "./HealthIndicator";

export function Layout(props: RouteSectionProps) {
  let main: HTMLElement | undefined;

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
      </header>
      <main id="main" class="content" tabindex="-1" ref={main}>
        <Suspense>{props.children}</Suspense>
      </main>
    </div>
  );
}
