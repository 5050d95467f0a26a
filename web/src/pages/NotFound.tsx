import { A, useLocation } from "@solidjs/router";
import { Page } from "../components/Page";

export default function NotFound() {
  const location = useLocation();
  return (
    <Page title="Page not found">
      <p class="lead">
        There is no page at <code>{location.pathname}</code>.
      </p>
      <p>
        <A href="/">Go to the dashboard</A>
      </p>
    </Page>
  );
}
