import DataLoader from 'dataloader';
import { byKey, grouped } from '../batch';
import type { EntitlementRecord, EntitlementRepository } from './entitlement.repository';

export function createEntitlementLoaders(repository: EntitlementRepository) {
  return {
    byId: new DataLoader<string, EntitlementRecord | null>(async (ids) => byKey(ids, await repository.findByIds(ids), (r) => r.id)),
    ofPurchase: new DataLoader<string, EntitlementRecord[]>(async (ids) => grouped(ids, await repository.findByPurchases(ids), (r) => r.purchaseId ?? '', (r) => r)),
  };
}
export type EntitlementLoaders = ReturnType<typeof createEntitlementLoaders>;
