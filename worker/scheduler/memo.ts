/**
 * A cache for a pure function of a key, emptied when it reaches `limit` entries so that it stays small
 * in a long-lived isolate. A value that throws is not cached: the next call throws again.
 */
export function memo<K, V>(limit: number): (key: K, make: () => V) => V {
  const values = new Map<K, V>();
  return (key, make) => {
    const known = values.get(key);
    if (known !== undefined) return known;
    const value = make();
    if (values.size >= limit) values.clear();
    values.set(key, value);
    return value;
  };
}
