import DataLoader from 'dataloader';
import type {
  InstallationPosition,
  InstallationRecord,
  InventoryReportRecord,
  InventoryRepository,
  MachineInventoryRecord,
  ReportCursor,
} from './inventory.repository';

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const list = grouped.get(key(row));
    if (list) list.push(row);
    else grouped.set(key(row), [row]);
  }
  return grouped;
}

/** Per-request loaders: every machine of a request asking the same page shares one statement. */
export function createInventoryLoaders(repository: InventoryRepository) {
  const installationPages = new Map<string, DataLoader<string, InstallationRecord[]>>();
  const reportPages = new Map<string, DataLoader<string, InventoryReportRecord[]>>();
  return {
    /** One loader per (page size, cursor). */
    installationsOf(limit: number, after: InstallationPosition | null): DataLoader<string, InstallationRecord[]> {
      const key = JSON.stringify([limit, after]);
      let loader = installationPages.get(key);
      if (!loader) {
        loader = new DataLoader<string, InstallationRecord[]>(async (machineIds) => {
          const grouped = groupBy(await repository.firstInstallationsOf(machineIds, limit, after), (r) => r.machineId);
          return machineIds.map((id) => grouped.get(id) ?? []);
        });
        installationPages.set(key, loader);
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
    reportsOf(limit: number, after: ReportCursor | null): DataLoader<string, InventoryReportRecord[]> {
      const key = JSON.stringify([limit, after]);
      let loader = reportPages.get(key);
      if (!loader) {
        loader = new DataLoader<string, InventoryReportRecord[]>(async (machineIds) => {
          const grouped = groupBy(await repository.latestReportsOf(machineIds, limit, after), (r) => r.machineId);
          return machineIds.map((id) => grouped.get(id) ?? []);
        });
        reportPages.set(key, loader);
      }
      return loader;
    },
    reportCount: new DataLoader<string, number>(async (machineIds) => {
      const counts = await repository.countReportsOf(machineIds);
      return machineIds.map((id) => counts.get(id) ?? 0);
    }),
  };
}
export type InventoryLoaders = ReturnType<typeof createInventoryLoaders>;
