import * as v from "valibot";
import { AnyOf, Limit, ListOf, Name, Offset, Tags, Uuid } from "./common";

export const FlowCreate = v.object({ name: Name, tags: v.optional(Tags, []) });
export type FlowCreate = v.InferOutput<typeof FlowCreate>;

export const Flow = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  name: v.string(),
  tags: v.array(v.string()),
});
export type Flow = v.InferOutput<typeof Flow>;

export const FlowFilterCriteria = v.object({
  id: v.optional(AnyOf(Uuid)),
  name: v.optional(v.object({ any_: v.optional(ListOf(Name)), like_: v.optional(v.pipe(v.string(), v.maxLength(200))) })),
  tags: v.optional(v.object({ all_: v.optional(Tags) })),
});

export const FlowFilter = v.object({
  flows: v.optional(FlowFilterCriteria),
  sort: v.optional(v.picklist(["NAME_ASC", "NAME_DESC", "CREATED_DESC", "UPDATED_DESC"]), "NAME_ASC"),
  limit: Limit(),
  offset: Offset,
});
export type FlowFilter = v.InferOutput<typeof FlowFilter>;
