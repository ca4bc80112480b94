import fc from 'fast-check';
import { comparePairs, dealSeats, DealRepair, groupByNeed, needOf, type PoolPair } from './pool-deal';

/** A machine id that sorts like its number, as uuids do in rule 2e's order. */
const machine = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

interface Instance {
  pools: Array<{ id: string; quantity: number; seniority: number }>;
  /** Per need, its candidate pools with the depth of each. */
  needs: Map<string, PoolPair[]>;
}

const instance: fc.Arbitrary<Instance> = fc
  .record({
    quantities: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    needs: fc.array(fc.record({ machine: fc.nat(15), product: fc.nat(1), pools: fc.array(fc.record({ pool: fc.nat(3), depth: fc.nat(2) }), { maxLength: 4 }) }), {
      minLength: 1,
      maxLength: 24,
    }),
  })
  .map(({ quantities, needs }) => {
    const pools = quantities.map((quantity, i) => ({ id: `pool-${i}`, quantity, seniority: i + 1 }));
    const byNeed = new Map<string, PoolPair[]>();
    for (const n of needs) {
      const pairs = new Map<string, PoolPair>();
      for (const { pool, depth } of n.pools) {
        const p = pools[pool % pools.length];
        pairs.set(p.id, { machine_id: machine(n.machine), product_id: `product-${n.product}`, entitlement_id: p.id, quantity: p.quantity, depth, seniority: p.seniority });
      }
      const need = needOf({ machine_id: machine(n.machine), product_id: `product-${n.product}` });
      if (!byNeed.has(need)) byNeed.set(need, [...pairs.values()].sort(comparePairs));
    }
    return { pools, needs: byNeed };
  });

const deal = (needs: Iterable<string>, all: Instance['needs']) => dealSeats([...needs].flatMap((n) => all.get(n) ?? []).sort(comparePairs));

/** Runs the repair as the engine does: loading lists and pools when asked, from the whole instance. */
function repair(all: Instance, previous: Map<string, string>, arrivals: readonly string[]): Map<string, string> {
  const repairing = new DealRepair(new Map(arrivals.map((n) => [n, all.needs.get(n) ?? []])));
  const holders = (pool: string) => [...previous].filter(([, p]) => p === pool).map(([need]) => (all.needs.get(need) ?? []).find((pair) => pair.entitlement_id === pool) as PoolPair);
  while (repairing.hasWork()) {
    const needs = repairing.listsToLoad();
    if (needs.length > 0) expect(repairing.addLists(needs.flatMap((n) => all.needs.get(n) ?? []))).toBe(true);
    for (const id of repairing.poolsToLoad()) repairing.addPool(id, all.pools.find((p) => p.id === id)?.quantity ?? 0, holders(id));
    repairing.step();
  }
  const after = new Map(previous);
  for (const [need, pool] of repairing.seats) {
    if (pool === null) after.delete(need);
    else after.set(need, pool);
  }
  return after;
}

it('repairs a deal for arriving needs exactly as dealing all needs again would', () => {
  fc.assert(
    fc.property(instance, fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }), fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }), (all, arrive, leave) => {
      const needs = [...all.needs.keys()];
      const before = needs.filter((_, i) => !arrive[i]);
      const arrivals = needs.filter((_, i) => arrive[i]);
      const previous = deal(before, all.needs);
      // Needs may leave where nobody was ever turned away: unseated, or seated in a pool with a seat to spare.
      const used = (pool: string) => [...previous.values()].filter((p) => p === pool).length;
      const spare = (pool: string) => used(pool) < (all.pools.find((p) => p.id === pool)?.quantity ?? 0);
      const leaving = new Set(before.filter((n, i) => leave[i] && (!previous.has(n) || spare(previous.get(n) as string))));
      const kept = new Map([...previous].filter(([need]) => !leaving.has(need)));
      const stays = before.filter((n) => !leaving.has(n));
      expect(repair(all, kept, arrivals)).toEqual(deal([...stays, ...arrivals], all.needs));
    }),
    { numRuns: 3000, seed: 20261128 },
  );
});

it('turns away the last holder of a full pool, which moves to its next pool', () => {
  const pair = (m: number, pool: string, depth: number, seniority: number, quantity = 1): PoolPair => ({ machine_id: machine(m), product_id: 'p', entitlement_id: pool, quantity, depth, seniority });
  // Machine 5 holds pool a's only seat; machine 2 arrives and comes before it in rule 2e's order (same depth,
  // smaller id): it takes the seat, and machine 5 moves to pool b.
  const lists = new Map([[needOf(pair(2, 'a', 0, 1)), [pair(2, 'a', 0, 1)]]]);
  const repairing = new DealRepair(lists);
  expect(repairing.poolsToLoad()).toEqual(['a']);
  repairing.addPool('a', 1, [pair(5, 'a', 0, 1)]);
  repairing.step();
  expect(repairing.listsToLoad()).toEqual([needOf(pair(5, 'a', 0, 1))]);
  expect(repairing.addLists([pair(5, 'a', 0, 1), pair(5, 'b', 1, 2, 3)])).toBe(true);
  expect(repairing.poolsToLoad()).toEqual(['b']);
  repairing.addPool('b', 3, []);
  repairing.step();
  expect(repairing.hasWork()).toBe(false);
  expect(repairing.seats).toEqual(
    new Map([
      [needOf(pair(2, 'a', 0, 1)), 'a'],
      [needOf(pair(5, 'a', 0, 1)), 'b'],
    ]),
  );
  expect(repairing.before).toEqual(new Map([[needOf(pair(5, 'a', 0, 1)), 'a']]));
  expect(groupByNeed([pair(5, 'a', 0, 1), pair(2, 'a', 0, 1), pair(5, 'b', 1, 2)]).get(needOf(pair(5, 'b', 1, 2)))).toHaveLength(2);
});
