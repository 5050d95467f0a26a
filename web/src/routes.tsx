import type { RouteDefinition, RoutePreloadFunc } from "@solidjs/router";
import { lazy, type Component } from "solid-js";
import { runsPrefetch } from "./pages/runs.prefetch";

export interface NavPage {
  path: string;
  /** Shown in the navigation and as the page heading. */
  title: string;
  component: Component;
  /** Started when the route is the destination, while its page's code downloads. */
  preload?: RoutePreloadFunc;
}

// Every page is its own chunk, so the first load carries only the shell and the page being opened.
export const navPages: readonly NavPage[] = [
  { path: "/", title: "Dashboard", component: lazy(() => import("./pages/Dashboard")) },
  {
    path: "/runs",
    title: "Runs",
    component: lazy(() => import("./pages/Runs")),
    // Not for a link's hover ("preload" intent): the list's count is the costliest request of the app.
    preload: ({ location, intent }) => void (intent !== "preload" && runsPrefetch.start(location.query)),
  },
  { path: "/flows", title: "Flows", component: lazy(() => import("./pages/Flows")) },
  { path: "/deployments", title: "Deployments", component: lazy(() => import("./pages/Deployments")) },
  { path: "/work-pools", title: "Work pools", component: lazy(() => import("./pages/WorkPools")) },
  { path: "/events", title: "Events", component: lazy(() => import("./pages/Events")) },
  { path: "/settings", title: "Settings", component: lazy(() => import("./pages/Settings")) },
];

export const routes: RouteDefinition[] = [
  ...navPages.map(({ path, component, preload }) => ({ path, component, preload })),
  { path: "/runs/:id", component: lazy(() => import("./pages/RunDetail")) },
  { path: "/deployments/:id", component: lazy(() => import("./pages/DeploymentDetail")) },
  { path: "/login", component: lazy(() => import("./pages/Login")) },
  { path: "*404", component: lazy(() => import("./pages/NotFound")) },
];
