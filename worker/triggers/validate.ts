import type { TriggerSpec } from "../../protocol/triggers";
import { invalidFields } from "../errors";
import { templateErrors } from "../events/template";
import { closedParameterNames, unknownParameters } from "../parameters";

/** A trigger's parameters may only read the event: a 422 naming each bad `{{ … }}` where it sits. */
export function assertTriggerTemplates(triggers: readonly TriggerSpec[] | undefined, at = "body.triggers"): void {
  const errors = (triggers ?? []).flatMap((t, i) =>
    templateErrors(t.parameters, ["event"]).map((e) => ({ path: `${at}.${i}.parameters${e.path ? `.${e.path}` : ""}`, message: e.message })),
  );
  if (errors.length > 0) throw invalidFields(errors.slice(0, 20));
}

/** What of a deployment says which parameters its runs take. */
type ParameterSchema = { parameter_openapi_schema: Record<string, unknown> | null; enforce_parameter_schema: boolean };

/**
 * A trigger's parameters must be names the deployment's flow takes, when the deployment enforces its
 * schema and the schema lists its names (closedParameterNames): each run a trigger starts is checked so
 * (worker/runs/deployment-run.ts), and a name it does not take would fail every time the trigger fires.
 * So it is refused when the trigger is saved: a 422 naming it, and the names the flow takes. Values are
 * templates of the event, known only when it fires; only the names can be checked here.
 */
export function assertTriggerParameterNames(triggers: readonly TriggerSpec[] | undefined, deployment: ParameterSchema, at = "body.triggers"): void {
  const schema = deployment.parameter_openapi_schema;
  if (!deployment.enforce_parameter_schema || schema === null) return;
  const names = closedParameterNames(schema);
  if (names === null) return;
  const errors = (triggers ?? []).flatMap((t, i) => unknownParameters(names, t.parameters).map((e) => ({ path: `${at}.${i}.parameters.${e.path}`, message: e.message })));
  if (errors.length > 0) throw invalidFields(errors.slice(0, 20));
}
