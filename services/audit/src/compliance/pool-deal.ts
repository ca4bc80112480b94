/**
 * The deal of pooled seats (DESIGN → Compliance semantics, rule 2e), in Node: the greedy pass over candidate pairs
 * in the rule's order, and its repair when a few needs arrive.
 */

/** A candidate pairing of rule 2e: a machine's need for a product, and a pool that could take it. */
export interface PoolPair {
  machine_id: string;
  product_id: string;
  entitlement_id: string;
  quantity: number;
  /** How far up from the machine's unit the pool's owner is (0: the unit itself). */
  depth: number;
  /** The pool's place among entitlements, oldest first. */
  seniority: number;
}

/** A need is one machine's need for one product: what a pool seat covers. */
export function needOf(pair: Pick<PoolPair, 'machine_id' | 'product_id'>): string {
  return `${pair.machine_id}/${pair.product_id}`;
}

/** The machine and the product of a need. */
export function splitNeed(need: string): [machineId: string, productId: string] {
  const [machineId, productId] = need.split('/');
  return [machineId, productId];
}

/**
 * Rule 2e's order: nearest owning unit, oldest entitlement, machine id; then product id, so that a machine's two
 * needs for one pool's last seat are settled the same way every time. The candidate query's `order by`, in Node.
 */
export function comparePairs(a: PoolPair, b: PoolPair): number {
  return a.depth - b.depth || a.seniority - b.seniority || compareText(a.machine_id, b.machine_id) || compareText(a.product_id, b.product_id);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two lists sorted by `compare`, as one. */
export function mergeSorted<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) merged.push(compare(a[i], b[j]) <= 0 ? a[i++] : b[j++]);
  while (i < a.length) merged.push(a[i++]);
  while (j < b.length) merged.push(b[j++]);
  return merged;
}

/**
 * The greedy deal of rule 2e over pairs in its order: each need (`machine/product`) takes the first of its pools
 * with a seat left, and a seat covers one machine for every covered edition of the product on it. Inherently
 * sequential: a seat taken by an earlier machine is gone for a later one.
 */
export function dealSeats(pairs: readonly PoolPair[]): Map<string, string> {
  const seatsLeft = new Map<string, number>();
  const dealt = new Map<string, string>();
  for (const pair of pairs) {
    const need = needOf(pair);
    if (dealt.has(need)) continue;
    const left = seatsLeft.get(pair.entitlement_id) ?? pair.quantity;
    if (left <= 0) continue;
    seatsLeft.set(pair.entitlement_id, left - 1);
    dealt.set(need, pair.entitlement_id);
  }
  return dealt;
}

/**
 * Brings a deal up to date when needs arrive, without the candidates of every other need.
 *
 * Every pair has one place in rule 2e's order, and a need and a pool both prefer the pairs that come first in it;
 * with preferences drawn from one order of pairs, the greedy deal is the only stable assignment of needs to pool
 * seats. From the previous deal, arriving needs propose to their pools in their own order; a full pool keeps the
 * holders that come first in rule 2e's order and turns away the last one, which proposes on down its own list
 * (deferred acceptance, resumed from the previous deal). What it settles on is that same stable assignment: the
 * deal over all needs, which the candidates of the needs it touches were enough to find.
 *
 * The previous deal must hold every seat of the pools, minus seats vacated in pools that were not full (nobody was
 * ever turned away from those; the caller checks). The repair asks for what it lacks as it goes: the holders of a
 * pool it reaches (`poolsToLoad`, then `addPool`), and the candidates of a holder it turned away (`listsToLoad`,
 * then `addLists`). `step` proposes for every need whose data is there.
 */
export class DealRepair {
  private readonly pools = new Map<string, { quantity: number; holders: PoolPair[] }>();
  private readonly lists = new Map<string, readonly PoolPair[]>();
  /** Per need, the index in its list of the pool it holds or will propose to next. */
  private readonly position = new Map<string, number>();
  private pending: string[] = [];
  /** Turned-away holders whose candidates are not known yet, with the pool that turned them away. */
  private readonly waiting = new Map<string, string>();
  /** The needs this repair moved, with the pool each holds now (null: none). */
  readonly seats = new Map<string, string | null>();
  /** The seat each moved need held before the repair, for those that held one. */
  readonly before = new Map<string, string>();

  /** `arrivals`: each arriving need's candidate pairs, in rule 2e's order. */
  constructor(arrivals: ReadonlyMap<string, readonly PoolPair[]>) {
    for (const [need, list] of arrivals) {
      this.lists.set(need, list);
      this.position.set(need, 0);
      this.pending.push(need);
    }
  }

  /** Whether some need still has to propose. */
  hasWork(): boolean {
    return this.pending.length > 0 || this.waiting.size > 0;
  }

  /** The turned-away holders whose candidate lists are needed. */
  listsToLoad(): string[] {
    return [...this.waiting.keys()];
  }

  /**
   * The candidates of turned-away holders (pairs of any needs, in rule 2e's order). False when a holder's list
   * does not hold the pool it held: the previous deal was not what this repair assumes.
   */
  addLists(pairs: readonly PoolPair[]): boolean {
    const byNeed = groupByNeed(pairs);
    for (const [need, after] of this.waiting) {
      const list = byNeed.get(need) ?? [];
      const held = list.findIndex((p) => p.entitlement_id === after);
      if (held < 0) return false;
      this.lists.set(need, list);
      this.position.set(need, held + 1);
      this.pending.push(need);
    }
    this.waiting.clear();
    return true;
  }

  /** The pools the pending needs may propose to whose holders are not loaded. */
  poolsToLoad(): string[] {
    const missing = new Set<string>();
    for (const need of this.pending) {
      for (const pair of this.lists.get(need) ?? []) if (!this.pools.has(pair.entitlement_id)) missing.add(pair.entitlement_id);
    }
    return [...missing];
  }

  /** A pool and the pairs by which its holders hold it. */
  addPool(id: string, quantity: number, holders: PoolPair[]): void {
    this.pools.set(id, { quantity, holders });
  }

  /** How many seats the pool has and how many are held now (undefined: not loaded). */
  pool(id: string): { quantity: number; held: number } | undefined {
    const pool = this.pools.get(id);
    return pool && { quantity: pool.quantity, held: pool.holders.length };
  }

  /** Every pending need proposes down its list until it holds a seat or has none left to ask. */
  step(): void {
    const pending = this.pending;
    this.pending = [];
    for (const need of pending) this.propose(need);
  }

  private propose(need: string): void {
    const list = this.lists.get(need) ?? [];
    let index = this.position.get(need) ?? 0;
    for (; index < list.length; index += 1) {
      const pair = list[index];
      const pool = this.pools.get(pair.entitlement_id);
      if (!pool) throw new Error('DealRepair: a pool was proposed to before it was loaded');
      if (pool.holders.length < pool.quantity) {
        pool.holders.push(pair);
        break;
      }
      const last = lastHolder(pool.holders);
      if (last < 0 || comparePairs(pair, pool.holders[last]) > 0) continue;
      this.turnAway(pool.holders[last]);
      pool.holders[last] = pair;
      break;
    }
    this.position.set(need, index);
    this.seats.set(need, index < list.length ? list[index].entitlement_id : null);
  }

  /** A holder loses its seat to a pair before it in rule 2e's order, and proposes on. */
  private turnAway(holder: PoolPair): void {
    const need = needOf(holder);
    if (!this.seats.has(need)) this.before.set(need, holder.entitlement_id);
    this.seats.set(need, null);
    const list = this.lists.get(need);
    if (list) {
      this.position.set(need, (this.position.get(need) ?? 0) + 1);
      this.pending.push(need);
    } else this.waiting.set(need, holder.entitlement_id);
  }
}

/** The index of the holder that comes last in rule 2e's order (-1: none). */
function lastHolder(holders: readonly PoolPair[]): number {
  let last = -1;
  for (let i = 0; i < holders.length; i += 1) if (last < 0 || comparePairs(holders[i], holders[last]) > 0) last = i;
  return last;
}

/** Pairs grouped by need, each group in the order given. */
export function groupByNeed(pairs: readonly PoolPair[]): Map<string, PoolPair[]> {
  const byNeed = new Map<string, PoolPair[]>();
  for (const pair of pairs) {
    const need = needOf(pair);
    const list = byNeed.get(need);
    if (list) list.push(pair);
    else byNeed.set(need, [pair]);
  }
  return byNeed;
}
