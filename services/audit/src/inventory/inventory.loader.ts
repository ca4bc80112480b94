import DataLoader from 'dataloader';
import type { InstallationCursor, InstallationRecord, InventoryRepository, MachineInventoryRecord } from './inventory.repository';

export function createInventoryLoaders(repository: InventoryRepository) {
  const pages = new Map<string, DataLoader<string, InstallationRecord[]>>();
  return {
    /** One loader per (page size, cursor), so every machine of a request asking the same page shares a statement. */
    installationsOf(limit: number, after: InstallationCursor | null): DataLoader<string, InstallationRecord[]> {
      const key = JSON.stringify([limit, after]);
      let loader = pages.get(key);
      if (!loader) {
        loader = new DataLoader<string, InstallationRecord[]>(async (machineIds) => {
          const rows = await repository.firstInstallationsOf(machineIds, limit, after);
          const grouped = new Map<string, InstallationRecord[]>();
          for (const row of rows) {
            const list = grouped.get(row.machineId);
            if (list) list.push(row);
            else grouped.set(row.machineId, [row]);
          }
          return machineIds.map((id) => grouped.get(id) ?? []);
        });
        pages.set(key, loader);
      }
      return loader;
    },
    installationCount: new DataLoader<string, number>(async (machineIds) => {
      const counts = await repository.countInstallationsOf(machineIds);
      return machineIds.map((id) => counts.get(id) ?? 0);
    }),
    inventoryOf: new DataLoader<string, MachineInventoryRecord | null>(async (machineIds) => {
      const rows = await repository.inventoriesOf(machineIds);
      const byId = new Map(rows.map((r) => [r.machineId, r]));
      return machineIds.map((id) => byId.get(id) ?? null);
    }),
  };
}
export type InventoryLoaders = ReturnType<typeof createInventoryLoaders>;
