import * as v from "valibot";
import type { DeploymentResponse } from "../../../protocol/deployments";
import { EventName } from "../../../protocol/events";
import { TriggerSpec } from "../../../protocol/triggers";
import type { ApiClient } from "../client/http";
import type { Trigger } from "../runtime/types";
import { byIds, deploymentByName } from "./api";
import { splitDeploymentName } from "./args";
import { UsageError } from "./errors";
import { paramFields, typed, type FlagField } from "./flag-issues";

/*
 * `baton deploy --trigger SPEC --trigger-param k=TEMPLATE --after FLOW/DEPLOYMENT[:STATE]`: the
 * deployment's triggers from the command line (protocol/triggers.ts says what a trigger is).
 */

/** A trigger as the API takes it (defaults left out). */
export type TriggerInput = Trigger;

const TRIGGER_HINT = `For example: --trigger file.created, --trigger 'baton.flow-run.*', or --trigger '{"expect":["webhook.received"],"threshold":3,"within":60}'`;

const issuesText = (issues: readonly v.BaseIssue<unknown>[]) =>
  issues
    .slice(0, 3)
    .map((i) => {
      const path = v.getDotPath(i);
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");

/** `--trigger`: an event name pattern (`*` matches any run of characters), or a whole trigger as JSON. */
export function parseTrigger(text: string): TriggerInput {
  const given = text.trim();
  if (given.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(given);
    } catch (error) {
      throw new UsageError(`--trigger ${JSON.stringify(text)} is not valid JSON: ${(error as Error).message}`, TRIGGER_HINT);
    }
    const checked = v.safeParse(TriggerSpec, json);
    if (!checked.success) throw new UsageError(`--trigger ${given}: ${issuesText(checked.issues)}`, TRIGGER_HINT);
    return json as TriggerInput;
  }
  const name = v.safeParse(EventName, given);
  if (!name.success) throw new UsageError(`--trigger ${JSON.stringify(text)}: the event name ${issuesText(name.issues)}`, TRIGGER_HINT);
  return { expect: [given] };
}

/**
 * `--trigger-param k=TEMPLATE` pairs: the value is JSON when it is JSON (`n=3`), else text, where
 * `{{ event.payload.path }}` is filled from the event when the trigger fires.
 */
export function parseTriggerParams(pairs: string[]): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const key = at < 0 ? "" : pair.slice(0, at).trim();
    if (!key) throw new UsageError(`--trigger-param expects key=template, got ${JSON.stringify(pair)}`, `For example: --trigger-param 'file={{ event.payload.path }}'`);
    const text = pair.slice(at + 1);
    try {
      parameters[key] = JSON.parse(text);
    } catch {
      parameters[key] = text;
    }
  }
  return parameters;
}

/** Flow-run state names a chain may wait for (case-insensitive on the command line), and `*` for any. */
const STATE_NAMES = ["Completed", "Failed", "Crashed", "Cancelled", "Cancelling", "Running", "Pending", "Scheduled", "Late", "Paused", "Retrying", "AwaitingRetry", "Cached"];

/**
 * `--after FLOW/DEPLOYMENT[:STATE]`. Deployment names may hold ':', so a suffix only counts as the
 * state when it is one (`etl/nightly:Failed`); the default is Completed.
 */
export function parseAfter(text: string): { deployment: string; state: string } {
  const at = text.lastIndexOf(":");
  const suffix = at < 0 ? "" : text.slice(at + 1).trim();
  const state = suffix === "*" ? "*" : STATE_NAMES.find((s) => s.toLowerCase() === suffix.toLowerCase());
  const deployment = state ? text.slice(0, at) : text;
  splitDeploymentName(deployment);
  return { deployment: deployment.trim(), state: state ?? "Completed" };
}

/** A trigger on the runs of deployment `id` reaching `state`: Baton's `baton.flow-run.<State>` events related to it. */
export const afterTrigger = (deploymentId: string, state: string): TriggerInput => ({
  expect: [`baton.flow-run.${state}`],
  match_related: { "baton.resource.role": "deployment", "baton.resource.id": `baton.deployment.${deploymentId}` },
});

export type TriggerFlags = { triggers: string[]; params: string[]; after: string[]; clear: boolean };

/** Checks the flags before anything is imported or asked; answers a function that builds the triggers (resolving --after over the API). */
export function triggersFromFlags(flags: TriggerFlags): (client: ApiClient) => Promise<TriggerInput[] | undefined> {
  const given = flags.triggers.map(parseTrigger);
  const chains = flags.after.map(parseAfter);
  const params = parseTriggerParams(flags.params);
  const any = given.length + chains.length > 0;
  if (flags.params.length > 0 && !any) throw new UsageError("--trigger-param needs a --trigger or --after to apply to");
  if (flags.clear && any) throw new UsageError("--clear-triggers removes every trigger; give it without --trigger and --after");
  return async (client) => {
    if (flags.clear) return [];
    if (!any) return undefined;
    const resolved = await Promise.all(chains.map(async (c) => afterTrigger((await deploymentByName(client, c.deployment)).id, c.state)));
    return [...given, ...resolved].map((t) => (flags.params.length > 0 ? { ...t, parameters: { ...(t.parameters as Record<string, unknown> | undefined), ...params } } : t));
  };
}

/** Which flag filled which trigger of the request (`--trigger`s first, then `--after`s), for the server's 422s. */
export function triggerFields(flags: TriggerFlags): FlagField[] {
  const given = flags.triggers.map((text, i) => ({ path: `triggers.${i}`, flag: typed("--trigger", text) }));
  const chains = flags.after.map((text, i) => ({ path: `triggers.${flags.triggers.length + i}`, flag: typed("--after", text) }));
  return [...given, ...chains, ...paramFields(flags.params, "triggers.*.parameters", "--trigger-param")];
}

type TriggerShown = { expect: string[]; match: Record<string, unknown>; match_related: Record<string, unknown>; threshold: number; within: number };

const DEPLOYMENT_RESOURCE = "baton.deployment.";

/**
 * `flow/deployment` of each deployment the triggers wait on (an `--after` chain relates to the upstream
 * deployment by its resource id, `baton.deployment.<id>`), keyed by that resource id, for triggerText.
 * A deployment deleted since is left out: its id is all there is to show.
 */
export async function relatedDeploymentNames(client: ApiClient, triggers: readonly TriggerShown[]): Promise<Map<string, string>> {
  const related = triggers.map((t) => t.match_related["baton.resource.id"]);
  const ids = [...new Set(related.filter((r): r is string => typeof r === "string" && r.startsWith(DEPLOYMENT_RESOURCE)))].map((r) => r.slice(DEPLOYMENT_RESOURCE.length));
  if (ids.length === 0) return new Map();
  const found = await byIds(ids, (chunk) => client.post<DeploymentResponse[]>("/deployments/filter", { deployments: { id: { any_: chunk } }, limit: 200 }));
  return new Map(found.map((d) => [`${DEPLOYMENT_RESOURCE}${d.id}`, `${d.flow_name}/${d.name}`]));
}

/** One line per trigger for the deploy summary: what it waits for (a deployment by its name when known), and how many. */
export function triggerText(t: TriggerShown, names: ReadonlyMap<string, string> = new Map()): string {
  const events = t.expect.length > 0 ? t.expect.join(" | ") : "any event";
  const related = t.match_related["baton.resource.id"];
  const about = typeof related === "string" ? ` of ${names.get(related) ?? related}` : Object.keys(t.match_related).length > 0 ? " (related resource filter)" : "";
  const labels = Object.keys(t.match).length > 0 ? ` where ${Object.entries(t.match).map(([k, p]) => `${k}=${Array.isArray(p) ? p.join("|") : String(p)}`).join(", ")}` : "";
  const count = t.threshold > 1 ? ` (${t.threshold} within ${t.within} s)` : "";
  return `${events}${about}${labels}${count}`;
}
