import type { ArgsDef, CommandDef } from "citty";

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The first flag in `argv` that `command` does not define, if any. citty accepts unknown flags silently,
 * so `--intervall 60` would deploy without a schedule; a typo must stop the command instead.
 */
export async function unknownFlag(command: CommandDef<any>, argv: string[]): Promise<string | undefined> {
  const defs: ArgsDef = (await (typeof command.args === "function" ? command.args() : command.args)) ?? {};
  const known = new Map<string, "boolean" | "value">();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    const kind = def.type === "boolean" ? "boolean" : "value";
    const { alias } = def as { alias?: string | string[] };
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const spelling of [name, camel(name), kebab(name), ...aliases]) known.set(spelling, kind);
  }
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") break;
    // A lone "-" and negative numbers are values, not flags.
    if (!word.startsWith("-") || word === "-" || /^-\d/.test(word)) continue;
    const [flag = word] = word.split("=", 1);
    const name = flag.replace(/^--?/, "");
    const kind = known.get(name) ?? (name.startsWith("no-") && known.get(name.slice(3)) === "boolean" ? "boolean" : undefined);
    if (!kind) return flag;
    // The value of `--flag value` may itself start with "-" (`--param x=-1` does not, `--interval -5` does).
    if (kind === "value" && !word.includes("=")) i++;
  }
  return undefined;
}
