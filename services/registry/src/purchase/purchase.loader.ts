import DataLoader from 'dataloader';
import { byKey } from '../batch';
import type { PurchaseRecord, PurchaseRepository, SupplierRecord } from './purchase.repository';

export function createPurchaseLoaders(repository: PurchaseRepository) {
  return {
    byId: new DataLoader<string, PurchaseRecord | null>(async (ids) => byKey(ids, await repository.findByIds(ids), (r) => r.id)),
    supplierById: new DataLoader<string, SupplierRecord | null>(async (ids) => byKey(ids, await repository.findSuppliersByIds(ids), (r) => r.id)),
    total: new DataLoader<string, string>(async (ids) => {
      const totals = await repository.totals(ids);
      return ids.map((id) => totals.get(id) ?? '0');
    }),
  };
}
export type PurchaseLoaders = ReturnType<typeof createPurchaseLoaders>;
