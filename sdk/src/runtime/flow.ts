import * as v from "valibot";
import { Name, Tags } from "../../../protocol/common";
import { callFlow } from "./flow-call";
import type { FlowDefinition } from "./flow-run";
import { parameterSchema } from "./parameters";
import { empiricalPolicy } from "./retry-policy";
import { DEPLOYED_RUNNER, runDeployed } from "./deployed-run";
import { FLOW_MARK, type DeployedRun, type Flow, type FlowOptions, type RunOutcome, type ServeOptions } from "./types";

function checkDefinition(name: string, options: FlowOptions<never>): void {
  const named = v.safeParse(Name, name);
  if (!named.success || named.output !== name) {
    throw new TypeError(`flow name ${JSON.stringify(name)}: ${named.success ? "must not start or end with spaces" : named.issues[0].message}`);
  }
  const what = `flow ${JSON.stringify(name)}`;
  const t = options.timeoutSeconds;
  if (t !== undefined && !(Number.isFinite(t) && t > 0)) throw new TypeError(`${what}: timeoutSeconds must be a positive number of seconds`);
  const tags = v.safeParse(Tags, options.tags ?? []);
  if (!tags.success) throw new TypeError(`${what}: tags ${tags.issues[0].message}`);
}

/**
 * A flow: `await myFlow(parameters)` runs it, recorded as a flow run when a server answers (a subflow run
 * when called inside another flow). It takes one parameters object, what deployments, schedules and the
 * dashboard's Run form fill in.
 */
export function flow<P extends Record<string, unknown> | undefined = Record<string, unknown>, R = unknown>(
  name: string,
  // A function whose parameters object has a default (`(p: {...} = {}) =>`) takes `P | undefined`.
  fn: (parameters: P) => R,
  options: FlowOptions<Exclude<P, undefined>> = {},
): Flow<Exclude<P, undefined>, Awaited<R>> {
  const opts = options as FlowOptions<never>;
  checkDefinition(name, opts);
  const def: FlowDefinition = { name, fn: fn as FlowDefinition["fn"], options: opts, policy: empiricalPolicy(`flow ${JSON.stringify(name)}`, opts) };
  const call = (parameters?: Exclude<P, undefined>) => callFlow(def, parameters) as Promise<Awaited<R>>;
  Object.defineProperty(call, "name", { value: name });
  const self: Flow<Exclude<P, undefined>, Awaited<R>> = Object.assign(call, {
    [FLOW_MARK]: true as const,
    options,
    parameterSchema: () => parameterSchema(opts),
    async serve(serveOptions: ServeOptions): Promise<void> {
      // Loaded on use: serving needs the worker, which a flow run as a script does not.
      const { serveFlow } = await import("../worker/serve");
      return serveFlow(self as unknown as Flow, serveOptions);
    },
  });
  Object.defineProperty(self, DEPLOYED_RUNNER, { value: (run: DeployedRun): Promise<RunOutcome> => runDeployed(def, run) });
  return self;
}
