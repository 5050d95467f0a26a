/*
 * Holds a page's stream messages while its REST load is on its way, then hands them over in order once the
 * load resolved. The page subscribes before it loads, so a change made between the load's snapshot and the
 * subscription is not lost; since some of the queued messages may already be reflected in what the load
 * returned, whatever applies them must be idempotent (merges by id and state timestamp).
 */

/** How many messages are held at most; past that the oldest go (the load then answers for them anyway). */
export const MAX_HELD = 10_000;

export interface LoadGate<M> {
  /** A load started: messages are held until `release`. Holds nest, so overlapping loads wait for the last. */
  hold(): void;
  /** A message from the stream: applied now, or held while a load is on its way. */
  deliver(message: M): void;
  /** A load settled (resolved or failed): once no load is left, the held messages are applied, oldest first. */
  release(): void;
  /** Whether a load is on its way. */
  holding(): boolean;
}

export function createLoadGate<M>(apply: (message: M) => void, max = MAX_HELD): LoadGate<M> {
  let holds = 0;
  let held: M[] = [];
  return {
    hold() {
      holds++;
    },
    deliver(message) {
      if (holds === 0) return apply(message);
      held.push(message);
      if (held.length > max) held.shift();
    },
    release() {
      if (holds === 0) return;
      holds--;
      if (holds > 0) return;
      const queued = held;
      held = [];
      for (const m of queued) apply(m);
    },
    holding: () => holds > 0,
  };
}
