import DataLoader from 'dataloader';
import type { CategoryCounts, ComplianceRepository, CostRow, MachineStatusRow, UnitTotals } from './compliance.repository';
import { unitFiguresCache, type UnitFiguresCache } from './unit-figures-cache';

function grouped<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

export interface UnitFigures {
  categories: CategoryCounts[];
  totals: UnitTotals | null;
  costs: CostRow[];
}

/**
 * Per-request loaders: every unit of a dashboard's page is answered by three statements, whatever its size, and
 * by none when the figures of the current results version are cached (see UnitFiguresCache).
 */
export function createComplianceLoaders(
  repository: ComplianceRepository,
  scope: (ids: readonly string[]) => Promise<Set<string>>,
  cache: UnitFiguresCache = unitFiguresCache,
) {
  const figures = (includeDescendants: boolean) =>
    new DataLoader<string, UnitFigures>(async (unitIds) => {
      const version = await repository.resultsVersion();
      const found = new Map<string, UnitFigures>();
      for (const id of unitIds) {
        const cached = cache.get(version, id, includeDescendants);
        if (cached) found.set(id, cached);
      }
      const missing = unitIds.filter((id) => !found.has(id));
      if (missing.length > 0) {
        const [categories, totals, costs] = await Promise.all([
          repository.categoryCounts(missing, includeDescendants),
          repository.totals(missing, includeDescendants),
          repository.shortfallCosts(missing, includeDescendants),
        ]);
        const byUnit = grouped(categories, (c) => c.unitId);
        const totalsByUnit = new Map(totals.map((t) => [t.unitId, t]));
        const costsByUnit = grouped(costs, (c) => c.unitId);
        for (const id of missing) {
          const figures: UnitFigures = { categories: byUnit.get(id) ?? [], totals: totalsByUnit.get(id) ?? null, costs: costsByUnit.get(id) ?? [] };
          cache.set(version, id, includeDescendants, figures);
          found.set(id, figures);
        }
      }
      return unitIds.map((id) => found.get(id) as UnitFigures);
    });
  return {
    unitFigures: { subtree: figures(true), alone: figures(false) },
    machineStatuses: new DataLoader<string, MachineStatusRow[]>(async (machineIds) => {
      const byMachine = grouped(await repository.machineStatuses(machineIds), (r) => r.machineId);
      return machineIds.map((id) => byMachine.get(id) ?? []);
    }),
    unitInScope: new DataLoader<string, boolean>(async (ids) => {
      const inside = await scope(ids);
      return ids.map((id) => inside.has(id));
    }),
  };
}
export type ComplianceLoaders = ReturnType<typeof createComplianceLoaders>;
