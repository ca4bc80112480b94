import DataLoader from 'dataloader';
import { byKey } from '../batch';
import type { PersonRecord, PersonRepository } from './person.repository';

export function createPersonLoaders(repository: PersonRepository) {
  return {
    byId: new DataLoader<string, PersonRecord | null>(async (ids) => byKey(ids, await repository.findByIds(ids), (r) => r.id)),
  };
}
export type PersonLoaders = ReturnType<typeof createPersonLoaders>;
