import { createResource, For, Show } from "solid-js";
import { api } from "../api/client";
import { Command } from "../components/Command";
import { Empty, Loaded } from "../components/Feedback";
import { Page } from "../components/Page";
import { Time } from "../components/Time";
import { loadFlows } from "./Flows.data";
import { flowRunsHref } from "./run-context";

export default function Flows() {
  const [rows, { refetch }] = createResource(() => loadFlows(api));
  return (
    <Page title="Flows">
      <Loaded resource={rows} retry={refetch}>
        {(list) => (
          <Show
            when={list.length > 0}
            fallback={
              <Empty title="No flows yet">
                <p>A flow appears here the first time it runs against this server. Try the tutorial's first flow:</p>
                <Command>npx tsx examples/hello.ts</Command>
              </Empty>
            }
          >
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Flow</th>
                    <th scope="col" class="num">Runs</th>
                    <th scope="col" class="num">Failed</th>
                    <th scope="col" class="num">Deployments</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={list}>
                    {(row) => (
                      <tr>
                        <th scope="row">
                          <a href={flowRunsHref(row.flow.id)}>{row.flow.name}</a>
                        </th>
                        <td class="num">{row.runs}</td>
                        <td class="num" classList={{ "text-danger": row.failed > 0 }}>{row.failed}</td>
                        <td class="num">
                          <a href={`/deployments?flow=${encodeURIComponent(row.flow.name)}`}>{row.deployments}</a>
                        </td>
                        <td>
                          <Time value={row.flow.created} />
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
    </Page>
  );
}
