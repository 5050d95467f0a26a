import { Router } from "@solidjs/router";
import { render } from "solid-js/web";
import { Layout } from "./components/Layout";
import { routes } from "./routes";
import "./styles.css";

const root = document.getElementById("app");
if (!root) throw new Error("index.html has no #app element to render the dashboard into");

render(() => <Router root={Layout}>{routes}</Router>, root);
