import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { READY_PREFIX, readyMessage, serverUrls } from "./banner";

describe("serverUrls", () => {
  it("uses the bind address, with brackets for IPv6 and localhost for wildcard addresses", () => {
    expect(serverUrls("127.0.0.1", 4200)).toEqual({ dashboard: "http://127.0.0.1:4200", api: "http://127.0.0.1:4200/api" });
    expect(serverUrls("::1", 4200).api).toBe("http://[::1]:4200/api");
    expect(serverUrls("0.0.0.0", 8080).dashboard).toBe("http://localhost:8080");
    expect(serverUrls("::", 8080).dashboard).toBe("http://localhost:8080");
  });
});

describe("readyMessage", () => {
  const urls = serverUrls("127.0.0.1", 4200);

  it("names the dashboard, the API, the state dir, auth and the BATON_API_URL to export", () => {
    const text = stripVTControlCharacters(readyMessage({ urls, stateDir: "/home/ada/.baton/state", auth: false, startupMs: 4321 }));
    expect(text.split("\n")[0]).toBe(`✔ ${READY_PREFIX}http://127.0.0.1:4200 (4.3 s)`);
    expect(text).toContain("Dashboard  http://127.0.0.1:4200\n");
    expect(text).toContain("API        http://127.0.0.1:4200/api\n");
    expect(text).toContain("State      /home/ada/.baton/state\n");
    expect(text).toContain("Auth       off");
    expect(text).toContain("export BATON_API_URL=http://127.0.0.1:4200/api");
  });

  it("says when auth is on", () => {
    const text = stripVTControlCharacters(readyMessage({ urls, stateDir: "/s", auth: true, startupMs: 1 }));
    expect(text).toContain("Auth       on");
  });
});
