import { curl } from "../api/curl";
import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function WorkPools() {
  return (
    <Page title="Work pools">
      <p class="lead">
        Work pools and the workers connected to them will be shown here: status, last heartbeat and how many runs are
        waiting.
      </p>
      <p>Until then, the API answers from a terminal: create a pool, list the pools and a pool's workers.</p>
      <Command>{curl("POST", "/work_pools/", { name: "local" })}</Command>
      <Command>{curl("POST", "/work_pools/filter", {})}</Command>
      <Command>{curl("POST", "/work_pools/local/workers/filter", {})}</Command>
    </Page>
  );
}
