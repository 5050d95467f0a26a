import type { ErrorBody } from "../../protocol/common";
import type { ScheduleDefinition } from "../../protocol/schedules";
import type { Db } from "../db/client";
import { findWorkPoolId } from "../db/deployments";
import { ApiError, invalidFields } from "../errors";
import { checkParameters } from "../parameters";
import { checkSchedule } from "../scheduler";

type Issues = NonNullable<ErrorBody["errors"]>;

/** Where schedule `i` of a request sits in its body, for error paths: `body.schedules.2`, `body.0`, `body`. */
export type SchedulePath = (i: number) => string;

/** Schedules that can never run are refused when written (DESIGN.md), naming each bad one. */
export function assertSchedulesRun(schedules: { schedule: ScheduleDefinition }[], now: Date, at: SchedulePath): void {
  const errors: Issues = [];
  schedules.forEach(({ schedule }, i) => {
    const check = checkSchedule(schedule, now);
    if (!check.ok) errors.push({ path: `${at(i)}.schedule`, message: check.reason });
  });
  if (errors.length > 0) throw invalidFields(errors);
}

/** The id of the named work pool (null for none), or a 422 telling how to create it. */
export async function workPoolIdOf(db: Db, name: string | null): Promise<string | null> {
  if (name === null) return null;
  const id = await findWorkPoolId(db, name);
  if (id !== undefined) return id;
  const message = `work pool ${JSON.stringify(name)} does not exist; create it first (npx baton work-pool create ${name})`;
  throw new ApiError(422, message, [{ path: "body.work_pool_name", message }]);
}

type ParameterSettings = {
  parameters: Record<string, unknown>;
  parameter_openapi_schema: Record<string, unknown> | null;
  enforce_parameter_schema: boolean;
};
type ParameterSet = { at: string; params: Record<string, unknown> };

/** The parameters each schedule's runs get: the deployment's, overridden by the schedule's own. */
export const scheduleParameterSets = (
  defaults: Record<string, unknown>,
  schedules: { parameters?: Record<string, unknown> }[],
  at: SchedulePath,
): ParameterSet[] => schedules.map((s, i) => ({ at: `${at(i)}.parameters`, params: { ...defaults, ...s.parameters } }));

/**
 * When the deployment enforces its parameter schema, the given parameter sets (its defaults, a
 * schedule's runs) must fit it. Required parameters may be left to each run, as in Prefect.
 */
export function assertParametersFit(deployment: ParameterSettings, sets: ParameterSet[]): void {
  const schema = deployment.parameter_openapi_schema;
  if (!deployment.enforce_parameter_schema || schema === null) return;
  for (const { at, params } of sets) {
    const check = checkParameters(schema, params, { ignoreRequired: true });
    if (!check.ok) throw invalidFields(check.errors.map((e) => ({ path: e.path ? `${at}.${e.path}` : at, message: e.message })));
  }
}
