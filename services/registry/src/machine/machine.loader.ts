import DataLoader from 'dataloader';
import { grouped } from '../batch';
import type { MachineRecord, MachineRepository } from './machine.repository';

export function createMachineLoaders(repository: MachineRepository) {
  const firstOfUnitsBySize = new Map<number, DataLoader<string, MachineRecord[]>>();
  return {
    byId: new DataLoader<string, MachineRecord | null>(async (ids) => {
      const rows = await repository.findByIds(ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** First page of each unit's own machines; one loader per page size so every unit of a request shares a statement. */
    firstOfUnit(limit: number): DataLoader<string, MachineRecord[]> {
      let loader = firstOfUnitsBySize.get(limit);
      if (!loader) {
        loader = new DataLoader<string, MachineRecord[]>(async (unitIds) => {
          const rows = await repository.firstOfUnits(unitIds, limit);
          const grouped = new Map<string, MachineRecord[]>();
          for (const row of rows) {
            const list = grouped.get(row.orgUnitId);
            if (list) list.push(row);
            else grouped.set(row.orgUnitId, [row]);
          }
          return unitIds.map((id) => grouped.get(id) ?? []);
        });
        firstOfUnitsBySize.set(limit, loader);
      }
      return loader;
    },
    operatedBy: new DataLoader<string, MachineRecord[]>(async (personIds) =>
      grouped(personIds, await repository.findByOperators(personIds), (m) => m.operatorPersonId ?? '', (m) => m),
    ),
    countOfUnit: new DataLoader<string, number>(async (unitIds) => {
      const counts = await repository.countOfUnits(unitIds);
      return unitIds.map((id) => counts.get(id) ?? 0);
    }),
  };
}
export type MachineLoaders = ReturnType<typeof createMachineLoaders>;
