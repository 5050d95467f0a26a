import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function WorkPools() {
  return (
    <Page title="Work pools">
      <p class="lead">
        Work pools and the workers connected to them will be shown here: status, last heartbeat and how many runs are
        waiting.
      </p>
      <p>Until then, from a terminal:</p>
      <Command>npx baton work-pool ls</Command>
      <Command>npx baton worker start</Command>
    </Page>
  );
}
