import DataLoader from 'dataloader';
import { byKey, grouped } from '../batch';
import type { AssignmentRecord, AssignmentRepository } from './assignment.repository';

type PageKey = { includeRevoked: boolean; limit: number };

export function createAssignmentLoaders(repository: AssignmentRepository) {
  const pages = new Map<string, DataLoader<string, AssignmentRecord[]>>();
  const counts = new Map<boolean, DataLoader<string, number>>();
  const ofHolder = (kind: 'machine' | 'person', includeRevoked: boolean) =>
    new DataLoader<string, AssignmentRecord[]>(async (ids) =>
      kind === 'machine'
        ? grouped(ids, await repository.findByMachines(ids, includeRevoked), (r) => r.machineId ?? '', (r) => r)
        : grouped(ids, await repository.findByPersons(ids, includeRevoked), (r) => r.personId ?? '', (r) => r),
    );
  return {
    byId: new DataLoader<string, AssignmentRecord | null>(async (ids) => byKey(ids, await repository.findByIds(ids), (r) => r.id)),
    activeOfMachine: ofHolder('machine', false),
    allOfMachine: ofHolder('machine', true),
    activeOfPerson: ofHolder('person', false),
    allOfPerson: ofHolder('person', true),
    /** First page of each entitlement's seats; one loader per (includeRevoked, size) so a request's entitlements share a statement. */
    firstOfEntitlement({ includeRevoked, limit }: PageKey): DataLoader<string, AssignmentRecord[]> {
      const key = `${includeRevoked}:${limit}`;
      let loader = pages.get(key);
      if (!loader) {
        loader = new DataLoader<string, AssignmentRecord[]>(async (ids) =>
          grouped(ids, await repository.pageOfEntitlements(ids, includeRevoked, null, limit), (r) => r.entitlementId, (r) => r),
        );
        pages.set(key, loader);
      }
      return loader;
    },
    countOfEntitlement(includeRevoked: boolean): DataLoader<string, number> {
      let loader = counts.get(includeRevoked);
      if (!loader) {
        loader = new DataLoader<string, number>(async (ids) => {
          const n = await repository.countOfEntitlements(ids, includeRevoked);
          return ids.map((id) => n.get(id) ?? 0);
        });
        counts.set(includeRevoked, loader);
      }
      return loader;
    },
  };
}
export type AssignmentLoaders = ReturnType<typeof createAssignmentLoaders>;
