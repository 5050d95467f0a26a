import { describe, expect, it } from "vitest";
import type { StreamServerMessage } from "../../../protocol/events-stream";
import type { FlowRun } from "../../../protocol/flow-runs";
import { concernsDeploymentRuns, loadDeploymentRuns, type DeploymentRuns } from "./Deployments.data";

const DEPLOYMENT = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const change = (id: string, extra: Partial<Extract<StreamServerMessage, { type: "flow_run" }>> = {}): StreamServerMessage => ({
  type: "flow_run",
  flow_run: { id, state_type: "SCHEDULED", state_name: "Scheduled", timestamp: "2026-01-01T00:00:00.000Z", ...extra.flow_run },
  ...(extra.flow_run_full ? { flow_run_full: extra.flow_run_full } : {}),
});
const shown: DeploymentRuns = { upcoming: [{ id: "up" } as FlowRun], recent: [{ id: "done" } as FlowRun] };

describe("concernsDeploymentRuns", () => {
  it("follows state changes of the runs shown only", () => {
    expect(concernsDeploymentRuns(change("up"), DEPLOYMENT, shown)).toBe(true);
    expect(concernsDeploymentRuns(change("done"), DEPLOYMENT, shown)).toBe(true);
    expect(concernsDeploymentRuns(change("elsewhere"), DEPLOYMENT, shown)).toBe(false);
    expect(concernsDeploymentRuns(change("up"), DEPLOYMENT, undefined)).toBe(false);
  });

  it("takes created runs of this deployment, and the scheduler's, which do not say their deployment", () => {
    const created = (deployment_id?: string) =>
      change("new", { flow_run: { id: "new", created: true, state_type: "SCHEDULED", state_name: "Scheduled", timestamp: "" }, ...(deployment_id === undefined ? {} : { flow_run_full: { deployment_id } }) });
    expect(concernsDeploymentRuns(created(DEPLOYMENT), DEPLOYMENT, shown)).toBe(true);
    expect(concernsDeploymentRuns(created(), DEPLOYMENT, shown)).toBe(true);
    expect(concernsDeploymentRuns(created(OTHER), DEPLOYMENT, shown)).toBe(false);
  });

  it("ignores other messages", () => {
    expect(concernsDeploymentRuns({ type: "welcome", protocol: 1 }, DEPLOYMENT, shown)).toBe(false);
  });
});

describe("loadDeploymentRuns", () => {
  it("asks for the waiting runs soonest first and every other run newest first", async () => {
    const bodies: Record<string, any>[] = [];
    const client = { post: async <T,>(_path: string, body?: unknown) => (bodies.push(body as Record<string, any>), [] as T) };
    expect(await loadDeploymentRuns(client, DEPLOYMENT)).toEqual({ upcoming: [], recent: [] });
    const [upcoming, recent] = bodies;
    expect(upcoming).toMatchObject({ deployments: { id: { any_: [DEPLOYMENT] } }, flow_runs: { state: { type: { any_: ["SCHEDULED"] } } }, sort: "EXPECTED_START_TIME_ASC" });
    expect(recent).toMatchObject({ deployments: { id: { any_: [DEPLOYMENT] } }, sort: "EXPECTED_START_TIME_DESC" });
    expect(recent!.flow_runs.state.type.any_).not.toContain("SCHEDULED");
    expect(recent!.flow_runs.state.type.any_).toContain("COMPLETED");
  });
});
