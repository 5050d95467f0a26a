import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./http";

/*
 * Walks every operation of /api/openapi.json (so routes added later are covered without editing this
 * file) with malformed input, and checks that each answer is a 4xx and that nothing in D1 changed.
 */

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; enum?: unknown[] };
type Operation = { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: Schema }> } };

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const MB_STRING = "x".repeat(1024 * 1024);
const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

async function fingerprint(): Promise<string> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name",
  ).all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all();
    parts.push(`${name}:${JSON.stringify(rows.results)}`);
  }
  return parts.join("\n");
}

const typesOf = (s: Schema): string[] =>
  s.anyOf ? s.anyOf.flatMap(typesOf) : s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];

const jsonType = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value === "object" ? "object" : typeof value;

/** A value of a JSON type the schema does not allow, or undefined when it allows anything. */
function wrongValue(s: Schema): unknown {
  const allowed = typesOf(s).map((t) => (t === "integer" ? "number" : t));
  if (allowed.length === 0) return undefined;
  return [12345, "not-valid", true, { nested: 1 }, [1, 2]].find((v) => !allowed.includes(jsonType(v)));
}

/** Malformed bodies for one object schema: wrong types, huge strings, deep nesting, bad enums, bad limits. */
function badObjects(s: Schema): unknown[] {
  const out: unknown[] = [];
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const wrong = wrongValue(prop);
    if (wrong !== undefined) out.push({ [key]: wrong });
    const types = typesOf(prop);
    if (types.includes("string")) out.push({ [key]: MB_STRING });
    if (types.includes("object")) out.push({ [key]: JSON.parse(`{"a":`.repeat(200) + "1" + "}".repeat(200)) });
    if (prop.enum || prop.anyOf?.some((a) => a.enum)) out.push({ [key]: "NOT_A_KNOWN_VALUE" });
    if (key === "limit" || key === "offset") out.push({ [key]: -1 }, { [key]: 1e12 }, { [key]: 1.5 });
  }
  return out;
}

function badBodies(schema: Schema): unknown[] {
  const base: unknown[] = [null, 42, "text", true];
  if (typesOf(schema).includes("array")) return [...base, {}, [null], [42], ...badObjects(schema.items ?? {}).map((o) => [o])];
  return [...base, [], ...badObjects(schema)];
}

let ids: Record<string, string> = {};

/** Path values: the real ids of seeded resources (so a bad body meets a real target), unknown and malformed ones. */
function pathVariants(path: string): string[] {
  const resource = path.split("/")[1] ?? "";
  const known = (param: string) => (param === "id" ? ids[resource] : ids[param]) ?? UNKNOWN_ID;
  const fill = (f: (param: string) => string) => path.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(f(p)));
  if (!path.includes("{")) return [path];
  return [fill(known), fill(() => UNKNOWN_ID), fill(() => "not a valid id %zz")];
}

async function send(method: string, path: string, body: string | undefined, type = "application/json") {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": type };
  const res = await SELF.fetch(`http://baton.test/api${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, text };
}

describe("every route refuses malformed input with a 4xx and changes nothing", () => {
  let operations: { method: string; path: string; op: Operation }[] = [];

  beforeAll(async () => {
    const flow = (await api("POST", "/flows/", { name: "walker-flow" })).body;
    await api("POST", "/work_pools/", { name: "walker-pool" });
    const deployment = (await api("POST", "/deployments/", { name: "walker-dep", flow_id: flow.id, work_pool_name: "walker-pool" })).body;
    const run = (await api("POST", "/flow_runs/", { flow_id: flow.id })).body;
    const taskRun = (await api("POST", "/task_runs/", { flow_run_id: run.id, name: "t", task_key: "t" })).body;
    ids = { flows: flow.id, deployments: deployment.id, flow_runs: run.id, task_runs: taskRun.id, work_pools: "walker-pool", name: "walker-pool" };
    const doc = (await api("GET", "/openapi.json")).body as { paths: Record<string, Record<string, Operation>> };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
    expect(operations.length).toBeGreaterThan(20);
  });

  it("answers 4xx to every malformed request, and D1 is unchanged afterwards", async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    const check = (what: string, status: number) => {
      if (status < 400 || status >= 500) failures.push(`${what} → ${status}`);
    };
    for (const { method, path, op } of operations) {
      const schema = op.requestBody?.content["application/json"]?.schema;
      const [known, ...unknownOrMalformed] = pathVariants(path);
      // Without a body, a request to a real target may rightly succeed (a read, a delete, a pause).
      const targets = schema ? [known!, ...unknownOrMalformed] : unknownOrMalformed;
      for (const target of targets) {
        if (!schema) {
          check(`${method} ${target}`, (await send(method, target, undefined)).status);
          continue;
        }
        check(`${method} ${target} non-JSON`, (await send(method, target, "{not json")).status);
        check(`${method} ${target} text/plain`, (await send(method, target, "hello", "text/plain")).status);
        check(`${method} ${target} deep`, (await send(method, target, deep(100_000))).status);
        for (const body of badBodies(schema)) {
          const { status, text } = await send(method, target, JSON.stringify(body));
          check(`${method} ${target} ${JSON.stringify(body).slice(0, 80)}`, status);
          if (status >= 400 && status < 500) expect(JSON.parse(text).detail, `${method} ${target}`).toEqual(expect.any(String));
        }
      }
      for (const param of op.parameters?.filter((p) => p.in === "query") ?? []) {
        check(`${method} ${known}?${param.name}=bad`, (await send(method, `${known}?${param.name}=%zz-not-valid`, undefined)).status);
      }
    }
    const huge = await send("POST", "/flows/", JSON.stringify({ name: "x".repeat(5 * 1024 * 1024) }));
    check("5 MB body", huge.status);
    expect(huge.status).toBe(413);
    expect(failures).toEqual([]);
    expect(await fingerprint()).toBe(before);
  }, 240_000);
});
