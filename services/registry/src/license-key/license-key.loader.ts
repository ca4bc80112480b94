import DataLoader from 'dataloader';
import { grouped } from '../batch';
import type { LicenseKeyRecord, LicenseKeyRepository } from './license-key.repository';

export function createLicenseKeyLoaders(repository: LicenseKeyRepository) {
  const pages = new Map<number, DataLoader<string, LicenseKeyRecord[]>>();
  return {
    /** Sealed keys, loaded only when someone allowed to reveal them asks. */
    sealed: new DataLoader<string, Buffer | null>(async (ids) => {
      const rows = await repository.findSealed(ids);
      const map = new Map(rows.map((r) => [r.id, r.sealed]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    firstOfEntitlement(limit: number): DataLoader<string, LicenseKeyRecord[]> {
      let loader = pages.get(limit);
      if (!loader) {
        loader = new DataLoader<string, LicenseKeyRecord[]>(async (ids) =>
          grouped(ids, await repository.pageOfEntitlements(ids, null, limit), (r) => r.entitlementId, (r) => r),
        );
        pages.set(limit, loader);
      }
      return loader;
    },
    countOfEntitlement: new DataLoader<string, number>(async (ids) => {
      const n = await repository.countOfEntitlements(ids);
      return ids.map((id) => n.get(id) ?? 0);
    }),
  };
}
export type LicenseKeyLoaders = ReturnType<typeof createLicenseKeyLoaders>;
