/**
 * Deterministic randomness for the dataset: a 32-bit hash of (seed, stream, index) and a small PRNG seeded from
 * it, so that any row (machine 81,234's installations, say) can be regenerated alone, in any order, on any
 * machine, and the same arguments always give the same dataset.
 */

/** A 32-bit avalanche hash of up to four integers (murmur3's finalizer over a running mix). */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = 0x9e3779b9 ^ a;
  for (const k of [b, c, d]) {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h = (h ^ (h >>> 16) ^ k) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform fraction in [0, 1) from the same inputs as hash32. */
export function unit(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 4294967296;
}

/** mulberry32: fast, small state, good enough for test data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [0, n), skewed towards 0 (index = n·u^skew): a few popular items, a long tail. */
  skewed(n: number, skew = 2): number {
    return Math.min(n - 1, Math.floor(n * this.next() ** skew));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A random-looking but reproducible version-4 UUID for row `index` of entity kind `kind`. */
export function uuidFor(seed: number, kind: number, index: number): string {
  const a = hash32(seed, kind, index, 1);
  const b = hash32(seed, kind, index, 2);
  const c = hash32(seed, kind, index, 3);
  const d = hash32(seed, kind, index, 4);
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b & 0xfff, 3)}-${hex(0x8000 | (c >>> 18), 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`;
}
