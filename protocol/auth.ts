import * as v from "valibot";
import { Name } from "./common";

export const ApiKeyCreate = v.object({ name: Name });
export type ApiKeyCreate = v.InferOutput<typeof ApiKeyCreate>;

export const ApiKey = v.object({
  id: v.string(),
  created: v.string(),
  name: v.string(),
  /** The first characters of the key, so people can tell their keys apart. */
  prefix: v.string(),
  last_used: v.nullable(v.string()),
});
export type ApiKey = v.InferOutput<typeof ApiKey>;

/** Answer of a key creation: the only time the key itself is ever shown. */
export const CreatedApiKey = v.object({ ...ApiKey.entries, key: v.string() });
export type CreatedApiKey = v.InferOutput<typeof CreatedApiKey>;

export const Ticket = v.object({
  /** null when the server needs no key, so sockets need no ticket either. */
  ticket: v.nullable(v.string()),
  expires: v.nullable(v.string()),
});
export type Ticket = v.InferOutput<typeof Ticket>;
