import { describe, expect, it } from "vitest";
import { parseHost, parsePort, resolveBatonHome, resolveServerOptions } from "./options";

const system = { homeDir: "/home/ada", cwd: "/work/project" };

describe("resolveServerOptions", () => {
  it("defaults to 127.0.0.1:4200 with state under ~/.baton and auth off", () => {
    expect(resolveServerOptions({}, {}, system)).toEqual({
      host: "127.0.0.1",
      port: 4200,
      home: "/home/ada/.baton",
      stateDir: "/home/ada/.baton/state",
      apiKey: undefined,
    });
  });

  it("takes the flags, BATON_HOME and BATON_API_KEY", () => {
    const options = resolveServerOptions(
      { port: "8080", host: "0.0.0.0" },
      { BATON_HOME: "/srv/baton", BATON_API_KEY: "secret" },
      system,
    );
    expect(options).toMatchObject({ host: "0.0.0.0", port: 8080, stateDir: "/srv/baton/state", apiKey: "secret" });
  });

  it("treats an empty BATON_API_KEY as unset, so auth is not turned on with an empty key", () => {
    expect(resolveServerOptions({}, { BATON_API_KEY: "" }, system).apiKey).toBeUndefined();
  });
});

describe("parsePort", () => {
  it.each([["1", 1], ["4200", 4200], [" 65535 ", 65535]])("accepts %j", (value, port) => {
    expect(parsePort(value)).toBe(port);
  });

  it.each(["", "0", "65536", "-1", "42.5", "4200abc", "1e3", "abc"])("refuses %j with E_INVALID_PORT", (value) => {
    expect(() => parsePort(value)).toThrow(expect.objectContaining({ code: "E_INVALID_PORT" }));
  });
});

describe("parseHost", () => {
  it("keeps names and addresses, and unwraps a bracketed IPv6 address", () => {
    expect(parseHost("localhost")).toBe("localhost");
    expect(parseHost("0.0.0.0")).toBe("0.0.0.0");
    expect(parseHost("[::1]")).toBe("::1");
  });

  it.each(["", "  ", "my host"])("refuses %j with E_INVALID_HOST", (value) => {
    expect(() => parseHost(value)).toThrow(expect.objectContaining({ code: "E_INVALID_HOST" }));
  });
});

describe("resolveBatonHome", () => {
  it("defaults to ~/.baton, also for an empty value", () => {
    expect(resolveBatonHome(undefined, system)).toBe("/home/ada/.baton");
    expect(resolveBatonHome("", system)).toBe("/home/ada/.baton");
  });

  it("expands a leading ~ and resolves relative paths from the working directory", () => {
    expect(resolveBatonHome("~", system)).toBe("/home/ada");
    expect(resolveBatonHome("~/baton-data", system)).toBe("/home/ada/baton-data");
    expect(resolveBatonHome(".baton", system)).toBe("/work/project/.baton");
    expect(resolveBatonHome("/var/lib/baton", system)).toBe("/var/lib/baton");
  });
});
