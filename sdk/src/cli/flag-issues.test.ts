import { describe, expect, it } from "vitest";
import { HttpError } from "../client/http";
import { flagIssuesError, paramFields, scheduleFields } from "./flag-issues";

/** A 422 as the server answers it (worker/validate.ts): the first issue in `detail`, all in `errors`. */
const refused = (errors: { path: string; message: string }[], status = 422) =>
  new HttpError("POST", "http://127.0.0.1:4200/api/deployments/", status, `invalid ${errors[0]!.path}: ${errors[0]!.message}`, { detail: "…", errors });

describe("flagIssuesError", () => {
  it("names the flag that filled a refused field, in the words typed, instead of the request's path", () => {
    const error = flagIssuesError(refused([{ path: "body.0.schedule", message: 'cron "61 * * * *" never fires' }]), scheduleFields({ cron: "61 * * * *" }, "0.schedule"));
    expect(error?.message).toBe(`--cron '61 * * * *': cron "61 * * * *" never fires`);
    expect(error?.code).toBe("E_HTTP_422");
  });

  it("prefers the most specific field: a zone's own, else every schedule flag given for the whole schedule", () => {
    const fields = scheduleFields({ cron: "0 9 * * *", timezone: "Mars/X" }, "schedules.0.schedule");
    expect(flagIssuesError(refused([{ path: "body.schedules.0.schedule.timezone", message: "unknown" }]), fields)?.message).toBe("--timezone Mars/X: unknown");
    expect(flagIssuesError(refused([{ path: "body.schedules.0.schedule.cron", message: "bad" }]), fields)?.message).toBe("--cron '0 9 * * *': bad");
    expect(flagIssuesError(refused([{ path: "body.schedules.0.schedule", message: "zone" }]), fields)?.message).toBe("--cron '0 9 * * *' --timezone Mars/X: zone");
    expect(flagIssuesError(refused([{ path: "body.schedules.0.schedule.interval", message: "too long" }]), scheduleFields({ interval: "99999999999" }, "schedules.0.schedule"))?.message).toBe(
      "--interval 99999999999: too long",
    );
  });

  it("maps parameters with or without the body prefix, the last --param of a name, and keeps the path of an issue no flag explains", () => {
    const fields = [{ path: "parameters", flag: "--param", exact: true }, ...paramFields(["currency=JPY", "name=x", "currency=YEN"], "parameters")];
    const error = flagIssuesError(
      refused([
        { path: "parameters.currency", message: "not one of EUR, USD" },
        { path: "parameters", message: 'missing "count"' },
        { path: "parameters.greeting", message: "not a string" },
      ]),
      fields,
    );
    expect(error?.message).toBe('--param currency=YEN: not one of EUR, USD; --param: missing "count"; parameters.greeting: not a string');
    expect(flagIssuesError(refused([{ path: "body.parameters.a.b", message: "m" }]), paramFields(["a.b=1"], "parameters"))?.message).toBe("--param a.b=1: m");
  });

  it("leaves alone what no flag explains, and anything but a 422", () => {
    const fields = paramFields(["n=1"], "parameters");
    expect(flagIssuesError(refused([{ path: "body.name", message: "too long" }]), fields)).toBeUndefined();
    expect(flagIssuesError(refused([{ path: "body.parameters.n", message: "m" }], 409), fields)).toBeUndefined();
    expect(flagIssuesError(new Error("boom"), fields)).toBeUndefined();
  });
});
