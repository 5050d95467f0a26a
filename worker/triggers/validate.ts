import type { TriggerSpec } from "../../protocol/triggers";
import { ApiError } from "../errors";
import { templateErrors } from "../events/template";

/** A trigger's parameters may only read the event: a 422 naming each bad `{{ … }}` where it sits. */
export function assertTriggerTemplates(triggers: readonly TriggerSpec[] | undefined, at = "body.triggers"): void {
  const errors = (triggers ?? []).flatMap((t, i) =>
    templateErrors(t.parameters, ["event"]).map((e) => ({ path: `${at}.${i}.parameters${e.path ? `.${e.path}` : ""}`, message: e.message })),
  );
  const first = errors[0];
  if (first) throw new ApiError(422, `invalid ${first.path}: ${first.message}`, errors.slice(0, 20));
}
