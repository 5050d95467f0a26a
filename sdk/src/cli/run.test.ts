import { stripVTControlCharacters } from "node:util";
import { defineCommand } from "citty";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HttpError, UnreachableError } from "../client/http";
import { CliError, UsageError } from "./errors";
import { commandForUsage, runCli } from "./run";

const ran: string[] = [];
const start = defineCommand({
  meta: { name: "tool server start", description: "Start it" },
  args: { port: { type: "string", default: "4200" } },
  run: ({ args }) => {
    if (args.port === "taken") throw new CliError("E_PORT_IN_USE", "Port taken.", { hint: "Pick another.", exitCode: 3 });
    if (args.port === "bug") throw new TypeError("undefined is not a function");
    if (args.port === "usage") throw new UsageError("Give one of --a or --b", "For example --a 1");
    if (args.port === "refused") throw new HttpError("POST", "http://h/api/deployments/", 422, "invalid body.name", {});
    if (args.port === "away") throw new UnreachableError("http://h/api", new Error("connect ECONNREFUSED"));
    ran.push(`start ${args.port}`);
  },
});
const server = defineCommand({ meta: { name: "tool server", description: "Servers" }, subCommands: { start } });
const root = defineCommand({ meta: { name: "tool", description: "A tool", version: "9.9.9" }, subCommands: { server } });

describe("runCli", () => {
  let stdout: string[];
  let stderr: string[];

  beforeEach(() => {
    ran.length = 0;
    stdout = [];
    stderr = [];
    vi.spyOn(console, "log").mockImplementation((...args) => void stdout.push(args.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...args) => void stderr.push(args.map(String).join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());

  it("runs the named subcommand with its flags", async () => {
    expect(await runCli(root, ["server", "start", "--port", "8080"], "9.9.9")).toBe(0);
    expect(ran).toEqual(["start 8080"]);
  });

  it("prints a user mistake as one line with its code and hint, without a stack, and uses its exit code", async () => {
    expect(await runCli(root, ["server", "start", "--port", "taken"], "9.9.9")).toBe(3);
    // Colours depend on the terminal (and on CI, where picocolors turns them on); the words do not.
    expect(stripVTControlCharacters(stderr.join("\n"))).toMatch(/^✖ Port taken\. .*\[E_PORT_IN_USE\].*\n {2}Pick another\.$/);
    expect(stderr.join("\n")).not.toContain("    at ");
  });

  it("prints usage and the error for an unknown command, exit code 2", async () => {
    expect(await runCli(root, ["server", "stop"], "9.9.9")).toBe(2);
    expect(stdout.join("\n")).toContain("tool server start");
    expect(stderr.join("\n")).toContain("Unknown command stop");
  });

  it("refuses an option the command does not define, with its usage, exit code 2", async () => {
    expect(await runCli(root, ["server", "start", "--prot", "8080"], "9.9.9")).toBe(2);
    expect(ran).toEqual([]);
    expect(stdout.join("\n")).toContain("tool server start");
    expect(stripVTControlCharacters(stderr.join("\n"))).toBe("✖ Unknown option --prot [E_USAGE]");
  });

  it("prints a UsageError with the command's usage and exit code 2", async () => {
    expect(await runCli(root, ["server", "start", "--port", "usage"], "9.9.9")).toBe(2);
    expect(stdout.join("\n")).toContain("USAGE tool server start");
    expect(stripVTControlCharacters(stderr.join("\n"))).toBe("✖ Give one of --a or --b [E_USAGE]\n  For example --a 1");
  });

  it("prints what the server refused, or that it is not there, as one line without a stack", async () => {
    expect(await runCli(root, ["server", "start", "--port", "refused"], "9.9.9")).toBe(1);
    expect(stripVTControlCharacters(stderr.join("\n"))).toBe(
      "✖ The server answered: invalid body.name (POST http://h/api/deployments/ → 422) [E_HTTP_422]",
    );
    stderr.length = 0;
    expect(await runCli(root, ["server", "start", "--port", "away"], "9.9.9")).toBe(1);
    expect(stripVTControlCharacters(stderr.join("\n"))).toMatch(/^✖ Cannot reach the Baton server at http:\/\/h\/api\. \[E_UNREACHABLE\]\n {2}Start one with/);
  });

  it("keeps the stack of an unexpected error: that is a bug to report", async () => {
    expect(await runCli(root, ["server", "start", "--port", "bug"], "9.9.9")).toBe(1);
    expect(stderr.join("\n")).toContain("a bug in baton");
    expect(stderr.join("\n")).toContain("TypeError: undefined is not a function");
  });

  it("shows the help of the command named before --help, and the version", async () => {
    expect(await runCli(root, ["server", "start", "--help"], "9.9.9")).toBe(0);
    expect(stdout.join("\n")).toContain("USAGE tool server start [OPTIONS]");
    expect(stdout.join("\n")).toContain("--port");
    expect(ran).toEqual([]);
    stdout.length = 0;
    expect(await runCli(root, ["--version"], "9.9.9")).toBe(0);
    expect(stdout).toEqual(["9.9.9"]);
  });

  it("finds the deepest command named in argv, ignoring flags", async () => {
    expect(await commandForUsage(root, ["server", "--json", "start", "--port", "1"])).toBe(start);
    expect(await commandForUsage(root, ["server", "nope"])).toBe(server);
    expect(await commandForUsage(root, [])).toBe(root);
  });
});
