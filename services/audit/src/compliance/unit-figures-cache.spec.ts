import { UnitFiguresCache } from './unit-figures-cache';

const figures = (machineCount: number) => ({ categories: [], totals: { unitId: 'u', machineCount, fullyLicensed: 0 }, costs: [] });

describe('UnitFiguresCache', () => {
  it('answers only for the version the figures were read from', () => {
    const cache = new UnitFiguresCache();
    cache.set('100', 'unit-a', true, figures(5));
    expect(cache.get('100', 'unit-a', true)?.totals?.machineCount).toBe(5);
    expect(cache.get('101', 'unit-a', true)).toBeUndefined();
    expect(cache.get('100', 'unit-a', false)).toBeUndefined();
  });

  it('keeps the newest entries when full', () => {
    const cache = new UnitFiguresCache(2);
    cache.set('1', 'a', true, figures(1));
    cache.set('1', 'b', true, figures(2));
    cache.set('1', 'a', true, figures(3)); // refreshed: now the newest
    cache.set('1', 'c', true, figures(4));
    expect(cache.get('1', 'b', true)).toBeUndefined();
    expect(cache.get('1', 'a', true)?.totals?.machineCount).toBe(3);
    expect(cache.get('1', 'c', true)?.totals?.machineCount).toBe(4);
  });
});
