import { useSearchParams } from "@solidjs/router";
import { createResource, For, Show } from "solid-js";
import { api } from "../api/client";
import { Command } from "../components/Command";
import { Empty, Loaded } from "../components/Feedback";
import { Page } from "../components/Page";
import { describeSchedule } from "../components/schedule.data";
import { loadDeployments } from "./Deployments.data";

export default function Deployments() {
  const [params] = useSearchParams<{ flow?: string }>();
  const [list, { refetch }] = createResource(() => params.flow ?? "", (flow) => loadDeployments(api, flow || undefined));
  return (
    <Page title="Deployments">
      <Show when={params.flow}>
        <p class="lead">
          Of flow <strong>{params.flow}</strong> · <a href="/deployments">all deployments</a>
        </p>
      </Show>
      <Loaded resource={list} retry={refetch}>
        {(deployments) => (
          <Show
            when={deployments.length > 0}
            fallback={
              <Empty title="No deployments yet">
                <p>A deployment lets a worker run a flow on demand or on a schedule. Create one from a flow file:</p>
                <Command>npx baton deploy examples/hello.ts:helloFlow --name my_first_deployment --pool my-pool --create-pool</Command>
              </Empty>
            }
          >
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Deployment</th>
                    <th scope="col">Flow</th>
                    <th scope="col">Work pool</th>
                    <th scope="col">Schedules</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={deployments}>
                    {(d) => (
                      <tr>
                        <th scope="row">
                          <a href={`/deployments/${d.id}`}>{d.name}</a>
                        </th>
                        <td>{d.flow_name}</td>
                        <td>{d.work_pool_name ?? "–"}</td>
                        <td>
                          <Show when={d.schedules.length > 0} fallback="None">
                            {d.schedules.map((s) => describeSchedule(s.schedule) + (s.active ? "" : " (inactive)")).join("; ")}
                          </Show>
                        </td>
                        <td>
                          <span class="pill" data-tone={d.paused ? "muted" : "ok"}>
                            {d.paused ? "Paused" : "Active"}
                          </span>
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
