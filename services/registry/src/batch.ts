/** Helpers for DataLoader batch functions: results in key order, null or [] for missing keys. */
export function byKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): Array<V | null> {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

export function grouped<K, V, R = V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K, valueOf: (row: V) => R): R[][] {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const list = map.get(keyOf(row));
    if (list) list.push(valueOf(row));
    else map.set(keyOf(row), [valueOf(row)]);
  }
  return keys.map((k) => map.get(k) ?? []);
}
