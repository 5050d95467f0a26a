/**
 * `fn` at most once per `ms`, however often it is asked for: a burst of live messages (a scheduler tick
 * creates many runs at once) costs one reload, run `ms` after the first ask so the burst is in.
 */
export function coalesce(fn: () => void, ms: number, setTimer: (run: () => void, ms: number) => unknown = setTimeout): () => void {
  let waiting = false;
  return () => {
    if (waiting) return;
    waiting = true;
    setTimer(() => {
      waiting = false;
      fn();
    }, ms);
  };
}
