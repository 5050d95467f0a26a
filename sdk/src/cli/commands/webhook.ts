import { defineCommand } from "citty";
import pc from "picocolors";
import type { Webhook } from "../../../../protocol/webhooks";
import { HttpError, type ApiClient } from "../../client/http";
import { out } from "../../output";
import { apiClient } from "../api";
import { repeated } from "../args";
import { CliError, UsageError } from "../errors";
import { details, localTime, npxBaton, printJson, shellWord, table } from "../format";

const name = { type: "positional", required: true, description: "The webhook's name (or id)", valueHint: "name" } as const;
const json = { type: "boolean", description: "Print JSON instead of text" } as const;
const AUTHS = ["none", "hmac", "bearer"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The URL to hand out: the server's origin (the API URL without its /api) and the webhook's path. */
export const hookUrl = (client: ApiClient, w: Pick<Webhook, "url_path">) => `${client.config.apiUrl.replace(/\/api$/, "")}${w.url_path}`;

async function webhookByName(client: ApiClient, nameOrId: string): Promise<Webhook> {
  const path = UUID.test(nameOrId) ? `/webhooks/${nameOrId.toLowerCase()}` : `/webhooks/name/${encodeURIComponent(nameOrId)}`;
  try {
    return await client.get<Webhook>(path);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new CliError("E_WEBHOOK_NOT_FOUND", `Webhook ${nameOrId} not found.`, { hint: `\`${npxBaton("webhook ls")}\` lists the webhooks.` });
    }
    throw error;
  }
}

/** `--resource k=v` pairs (values may hold `{{ … }}`) into resource labels. */
function resourceLabels(pairs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const key = at < 0 ? "" : pair.slice(0, at).trim();
    if (!key) throw new UsageError(`--resource expects key=value, got ${JSON.stringify(pair)}`, "For example: --resource 'baton.resource.id=github.{{ body.repository.full_name }}'");
    labels[key] = pair.slice(at + 1);
  }
  return labels;
}

function payloadObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--payload expects a JSON object, got ${JSON.stringify(text)}`, `For example: --payload '{"ref": "{{ body.ref }}"}'`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UsageError("--payload expects a JSON object, not an array or a single value");
  return value as Record<string, unknown>;
}

const authText = (w: Webhook) => (w.auth === "hmac" ? `hmac (${w.signature_header})` : w.auth);
const statusText = (w: Webhook) => (w.enabled ? pc.green("enabled") : pc.gray("disabled"));
const eventText = (w: Webhook) => (typeof w.template.event === "string" ? w.template.event : "webhook.received");

const EXAMPLE_VALUE = "example";
const TEMPLATE_PATH = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /([^.[\]"]+)|\[(\d+)\]|\["([^"]*)"\]/g;

/**
 * The body, headers and query of the example request: what the event name and `baton.resource.id`
 * templates read must be there (the server refuses the request otherwise), so each such path gets
 * "example" on top of `{"hello": "world"}`.
 */
export function exampleRequest(w: Pick<Webhook, "template">): { body: unknown; headers: [string, string][]; query: [string, string][] } {
  const template = w.template as { event?: unknown; resource?: Record<string, unknown> };
  const texts = [template.event, template.resource?.["baton.resource.id"]].filter((t): t is string => typeof t === "string");
  let body: unknown = { hello: "world" };
  const headers: [string, string][] = [];
  const query: [string, string][] = [];
  for (const text of texts) {
    for (const [, path] of text.matchAll(TEMPLATE_PATH)) {
      const segments = [...path!.matchAll(SEGMENT)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3])!));
      const [root, ...rest] = segments;
      if (root === "headers" && typeof rest[0] === "string") headers.push([rest[0], EXAMPLE_VALUE]);
      else if (root === "query" && typeof rest[0] === "string") query.push([rest[0], EXAMPLE_VALUE]);
      else if (root === "body" && rest.length > 0) body = withValue(body, rest, EXAMPLE_VALUE);
    }
  }
  return { body, headers, query };
}

/** `into` with `value` at `path` (objects for keys, arrays for indexes), leaving what is there. */
function withValue(into: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return into === undefined ? value : into;
  const [first, ...rest] = path;
  if (typeof first === "number") {
    const list = Array.isArray(into) ? [...into] : [];
    while (list.length <= first) list.push(null);
    list[first] = withValue(list[first] ?? undefined, rest, value);
    return list;
  }
  const record = into !== null && typeof into === "object" && !Array.isArray(into) ? { ...(into as Record<string, unknown>) } : {};
  record[first!] = withValue(record[first!], rest, value);
  return record;
}

/**
 * A request that works as printed: signed with openssl when the webhook wants an HMAC, carrying what
 * the event name's template reads (exampleRequest). Without the secret at hand (rotating only the URL)
 * it reads the secret from $SECRET.
 */
export function curlExample(url: string, w: Webhook): string[] {
  const example = exampleRequest(w);
  const target = example.query.length > 0 ? `${url}?${new URLSearchParams(example.query).toString()}` : url;
  const extra = example.headers.map(([k, v]) => ` -H ${shellWord(`${k}: ${v}`)}`).join("");
  const post = `curl -X POST ${shellWord(target)} -H 'Content-Type: application/json'${extra}`;
  const body = `body=${shellWord(JSON.stringify(example.body))}`;
  const secret = w.secret ? shellWord(w.secret) : '"$SECRET"';
  if (w.auth === "hmac") {
    return [
      body,
      `sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac ${secret} | sed 's/^.* //')`,
      `${post} -H "${w.signature_header}: sha256=$sig" -d "$body"`,
    ];
  }
  if (w.auth === "bearer") return [body, `${post} -H ${w.secret ? shellWord(`Authorization: Bearer ${w.secret}`) : '"Authorization: Bearer $SECRET"'} -d "$body"`];
  return [body, `${post} -d "$body"`];
}

/** The one showing of a secret (create, rotate, turning auth on), with how to call the URL. */
function printUrlAndSecret(client: ApiClient, w: Webhook): void {
  const url = hookUrl(client, w);
  out.info(details([["URL", pc.bold(url)], ["Auth", authText(w)], ...(w.secret ? ([["Secret", pc.bold(w.secret)]] as [string, string][]) : [])]));
  if (w.secret) out.warn(`The secret is shown only now; \`${npxBaton(`webhook rotate ${shellWord(w.name)}`)}\` makes a new one.`);
  out.info("");
  out.info(pc.dim(w.auth !== "none" && !w.secret ? "Try it (with the webhook's secret in SECRET):" : "Try it:"));
  for (const line of curlExample(url, w)) out.info(`  ${line}`);
}

const create = defineCommand({
  meta: { name: "baton webhook create", description: "Create a webhook: a URL other systems POST to, each request becoming an event" },
  args: {
    name: { ...name, description: "The webhook's name" },
    auth: { type: "string", description: "How callers prove themselves: none, hmac (signature header) or bearer", default: "none", valueHint: "none|hmac|bearer" },
    secret: { type: "string", description: "The secret (default: a new random one when --auth is hmac or bearer)", valueHint: "secret" },
    "signature-header": { type: "string", description: "Header holding the HMAC signature (default X-Baton-Signature-256)", valueHint: "header" },
    event: { type: "string", description: "Event name template, e.g. 'github.{{ headers.x-github-event }}'", valueHint: "template" },
    resource: { type: "string", description: "A resource label as key=template; repeatable", valueHint: "key=value" },
    payload: { type: "string", description: "Payload template as a JSON object (default: the whole body)", valueHint: "json" },
    "delivery-id": { type: "string", description: "Template of the delivery id, so redeliveries are one event, e.g. '{{ headers.x-github-delivery }}'", valueHint: "template" },
    description: { type: "string", description: "What the webhook is for", valueHint: "text" },
    disabled: { type: "boolean", description: "Create it disabled (its URL answers 404 until enabled)" },
    json,
  },
  async run({ args, rawArgs }) {
    const auth = args.auth as (typeof AUTHS)[number];
    if (!AUTHS.includes(auth)) throw new UsageError(`--auth expects none, hmac or bearer, got ${JSON.stringify(args.auth)}`);
    if (args.secret !== undefined && auth === "none") throw new UsageError("--secret needs --auth hmac or --auth bearer");
    const template = {
      ...(args.event !== undefined ? { event: args.event } : {}),
      resource: resourceLabels(repeated(rawArgs, "resource")),
      payload: payloadObject(args.payload) ?? null,
      ...(args["delivery-id"] !== undefined ? { id: args["delivery-id"] } : {}),
    };
    const body = {
      name: args.name,
      description: args.description ?? null,
      enabled: !args.disabled,
      auth,
      ...(args.secret !== undefined ? { secret: args.secret } : {}),
      ...(args["signature-header"] !== undefined ? { signature_header: args["signature-header"] } : {}),
      template,
    };
    const client = apiClient();
    const created = await client.post<Webhook>("/webhooks/", body).catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 409) throw new CliError("E_WEBHOOK_EXISTS", `Webhook ${args.name} already exists.`);
      throw error;
    });
    if (args.json) return printJson({ ...created, url: hookUrl(client, created) });
    out.success(`Created webhook ${pc.bold(created.name)}${created.enabled ? "" : pc.dim(" (disabled)")}`);
    printUrlAndSecret(client, created);
  },
});

const ls = defineCommand({
  meta: { name: "baton webhook ls", description: "List webhooks with their URLs" },
  args: { json },
  async run({ args }) {
    const client = apiClient();
    const hooks = await client.get<Webhook[]>("/webhooks/");
    if (args.json) return printJson(hooks.map((w) => ({ ...w, url: hookUrl(client, w) })));
    const rows = hooks.map((w) => [w.name, hookUrl(client, w), authText(w), statusText(w), eventText(w)]);
    out.info(table(["NAME", "URL", "AUTH", "STATUS", "EVENT"], rows, `No webhooks yet. Create one: ${npxBaton("webhook create <name>")}`));
  },
});

const inspect = defineCommand({
  meta: { name: "baton webhook inspect", description: "Show a webhook and its template (never its secret)" },
  args: { name, json },
  async run({ args }) {
    const client = apiClient();
    const w = await webhookByName(client, args.name);
    if (args.json) return printJson({ ...w, url: hookUrl(client, w) });
    out.info(
      details([
        ["Name", pc.bold(w.name)],
        ["Id", w.id],
        ["URL", hookUrl(client, w)],
        ["Status", statusText(w)],
        ["Auth", authText(w)],
        ["Template", JSON.stringify(w.template)],
        ["Description", w.description],
        ["Created", localTime(w.created)],
        ["Updated", localTime(w.updated)],
      ]),
    );
  },
});

const toggle = (enabled: boolean) =>
  defineCommand({
    meta: { name: `baton webhook ${enabled ? "enable" : "disable"}`, description: enabled ? "Enable a webhook: its URL accepts requests again" : "Disable a webhook: its URL answers 404" },
    args: { name },
    async run({ args }) {
      const client = apiClient();
      const w = await webhookByName(client, args.name);
      await client.patch(`/webhooks/${w.id}`, { enabled });
      out.success(`${enabled ? "Enabled" : "Disabled"} webhook ${w.name}`);
    },
  });

const rotate = defineCommand({
  meta: { name: "baton webhook rotate", description: "Give a webhook a new URL and a new secret; the old ones stop working at once" },
  args: {
    name,
    "keep-url": { type: "boolean", description: "Only a new secret" },
    "keep-secret": { type: "boolean", description: "Only a new URL" },
    json,
  },
  async run({ args }) {
    if (args["keep-url"] && args["keep-secret"]) throw new UsageError("--keep-url and --keep-secret together leave nothing to rotate");
    const client = apiClient();
    const w = await webhookByName(client, args.name);
    if (args["keep-url"] && w.auth === "none") throw new CliError("E_NO_SECRET", `Webhook ${w.name} has no secret to rotate.`, { hint: "Only webhooks created with --auth hmac or --auth bearer have one." });
    const rotated = await client.post<Webhook>(`/webhooks/${w.id}/rotate`, { slug: !args["keep-url"], secret: !args["keep-secret"] });
    if (args.json) return printJson({ ...rotated, url: hookUrl(client, rotated) });
    out.success(`Rotated webhook ${pc.bold(rotated.name)}: ${[args["keep-url"] ? "" : "new URL", args["keep-secret"] || !rotated.secret ? "" : "new secret"].filter(Boolean).join(" and ")}`);
    printUrlAndSecret(client, rotated);
  },
});

const remove = defineCommand({
  meta: { name: "baton webhook delete", description: "Delete a webhook (its URL answers 404; its events stay)" },
  args: { name },
  async run({ args }) {
    const client = apiClient();
    const w = await webhookByName(client, args.name);
    await client.delete(`/webhooks/${w.id}`);
    out.success(`Deleted webhook ${w.name}`);
  },
});

export const webhook = defineCommand({
  meta: { name: "baton webhook", description: "Create, list, inspect, enable, disable, rotate and delete webhooks" },
  subCommands: { create, ls, inspect, enable: toggle(true), disable: toggle(false), rotate, delete: remove },
});
