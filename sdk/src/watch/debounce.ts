/**
 * Per-key trailing debounce: `fire(key)` runs once a key has had no `touch` for `delayMs`. Editors and
 * copies write a file in several steps; the change is reported once they are done.
 */
export class Debouncer<K> {
  readonly #timers = new Map<K, NodeJS.Timeout>();

  constructor(
    private readonly delayMs: number,
    private readonly fire: (key: K) => void,
  ) {}

  touch(key: K): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        this.fire(key);
      }, this.delayMs),
    );
  }

  /** Whether a key waits for its quiet moment. */
  has(key: K): boolean {
    return this.#timers.has(key);
  }

  /** Keys waiting for their quiet moment. */
  get size(): number {
    return this.#timers.size;
  }

  /** Fires every waiting key now (when stopping: what changed is still reported). */
  fireAll(): void {
    const keys = [...this.#timers.keys()];
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const key of keys) this.fire(key);
  }
}
