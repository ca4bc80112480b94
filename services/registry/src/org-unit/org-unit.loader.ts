import DataLoader from 'dataloader';
import type { OrgUnitRecord, OrgUnitRepository } from './org-unit.repository';

/** Per-request loaders over the unit repository; results come back in key order, null for missing keys. */
export function createOrgUnitLoaders(repository: OrgUnitRepository) {
  return {
    byId: new DataLoader<string, OrgUnitRecord | null>(async (ids) => {
      const rows = await repository.findByIds(ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    childrenOf: new DataLoader<string, OrgUnitRecord[]>(async (parentIds) => {
      const rows = await repository.findChildren(parentIds);
      const grouped = new Map<string, OrgUnitRecord[]>();
      for (const row of rows) {
        const list = grouped.get(row.parentId ?? '') ?? [];
        list.push(row);
        grouped.set(row.parentId ?? '', list);
      }
      return parentIds.map((id) => grouped.get(id) ?? []);
    }),
  };
}
export type OrgUnitLoaders = ReturnType<typeof createOrgUnitLoaders>;
