import type { Event } from "../../protocol/events";

/*
 * Whether an event matches a trigger (protocol/triggers.ts). Pure: a trigger is compiled once when the
 * engine loads it, so matching an event costs a few set lookups and, for wildcard patterns only, one
 * anchored regex test per pattern list.
 */

/** One or more patterns; `*` matches any run of characters (dots included), everything else is literal. */
export type Patterns = string | readonly string[];
type Test = (value: string) => boolean;

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** A test for "the value matches one of the patterns": a set for exact names, one regex for the wildcards. */
export function compilePatterns(patterns: Patterns): Test {
  const list = typeof patterns === "string" ? [patterns] : patterns;
  if (list.includes("*")) return () => true;
  const exact = new Set(list.filter((p) => !p.includes("*")));
  const wild = list.filter((p) => p.includes("*"));
  if (wild.length === 0) return (value) => exact.has(value);
  const re = new RegExp(`^(?:${wild.map((p) => p.split("*").map(escape).join("[\\s\\S]*")).join("|")})$`);
  return (value) => exact.has(value) || re.test(value);
}

type LabelTests = [label: string, test: Test][];
const compileLabels = (labels: Record<string, Patterns>): LabelTests => Object.entries(labels).map(([label, p]) => [label, compilePatterns(p)]);

/** Every label given must be present and match (a missing label fails). */
const labelsMatch = (tests: LabelTests, labels: Record<string, string>): boolean =>
  tests.every(([label, test]) => {
    const value = labels[label];
    return value !== undefined && test(value);
  });

export type TriggerMatchSpec = {
  expect: readonly string[];
  match: Record<string, Patterns>;
  match_related: Record<string, Patterns>;
};

export type CompiledTrigger<T extends TriggerMatchSpec = TriggerMatchSpec> = {
  trigger: T;
  expect: Test | null;
  match: LabelTests;
  related: LabelTests;
};

export function compileTrigger<T extends TriggerMatchSpec>(trigger: T): CompiledTrigger<T> {
  return {
    trigger,
    expect: trigger.expect.length === 0 ? null : compilePatterns(trigger.expect),
    match: compileLabels(trigger.match),
    related: compileLabels(trigger.match_related),
  };
}

type Matchable = Pick<Event, "event" | "resource" | "related">;

/** expect (empty = any name), match on the event's resource, match_related on some one related resource. */
export function matches(compiled: CompiledTrigger, event: Matchable): boolean {
  if (compiled.expect && !compiled.expect(event.event)) return false;
  if (!labelsMatch(compiled.match, event.resource)) return false;
  return compiled.related.length === 0 || event.related.some((r) => labelsMatch(compiled.related, r));
}

/**
 * Triggers indexed by the names they expect: a trigger whose names are all exact is only looked at for
 * those names, so an event costs a map lookup plus the wildcard and catch-all triggers, not every trigger.
 */
export class TriggerIndex<T extends TriggerMatchSpec> {
  private readonly byName = new Map<string, Ranked<T>[]>();
  private readonly others: Ranked<T>[] = [];
  readonly size: number;

  constructor(triggers: readonly T[]) {
    this.size = triggers.length;
    triggers.forEach((trigger, rank) => {
      const ranked = { rank, compiled: compileTrigger(trigger) };
      const exact = trigger.expect.length > 0 && trigger.expect.every((name) => !name.includes("*"));
      if (!exact) return void this.others.push(ranked);
      for (const name of new Set(trigger.expect)) {
        const list = this.byName.get(name) ?? [];
        list.push(ranked);
        this.byName.set(name, list);
      }
    });
  }

  /** The triggers the event matches, in the order they were given. */
  matching(event: Matchable): T[] {
    const named = this.byName.get(event.event) ?? [];
    const hits = [...named, ...this.others].filter((r) => matches(r.compiled, event));
    if (named.length > 0 && this.others.length > 0) hits.sort((a, b) => a.rank - b.rank);
    return hits.map((r) => r.compiled.trigger);
  }
}

type Ranked<T extends TriggerMatchSpec> = { rank: number; compiled: CompiledTrigger<T> };
