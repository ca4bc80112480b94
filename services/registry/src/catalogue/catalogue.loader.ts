import DataLoader from 'dataloader';
import { byKey, grouped } from '../batch';
import type { CatalogueRepository, EditionRecord, ProductRecord, PublisherRecord } from './catalogue.repository';

/** Per-request loaders over the catalogue; results in key order, null (or []) for missing keys. */
export function createCatalogueLoaders(repository: CatalogueRepository) {
  return {
    publisherById: new DataLoader<string, PublisherRecord | null>(async (ids) => byKey(ids, await repository.findPublishersByIds(ids), (r) => r.id)),
    productById: new DataLoader<string, ProductRecord | null>(async (ids) => byKey(ids, await repository.findProductsByIds(ids), (r) => r.id)),
    editionById: new DataLoader<string, EditionRecord | null>(async (ids) => byKey(ids, await repository.findEditionsByIds(ids), (r) => r.id)),
    editionsOfProduct: new DataLoader<string, EditionRecord[]>(async (ids) =>
      grouped(ids, await repository.findEditionsByProducts(ids), (r) => r.productId, (r) => r),
    ),
    productsOfPublisher: new DataLoader<string, ProductRecord[]>(async (ids) =>
      grouped(ids, await repository.findProductsByPublishers(ids), (r) => r.publisherId, (r) => r),
    ),
    downgradesOf: new DataLoader<string, string[]>(async (ids) =>
      grouped(ids, await repository.findDowngrades(ids), (r) => r.editionId, (r) => r.coveredEditionId),
    ),
    suiteProductsOf: new DataLoader<string, string[]>(async (ids) =>
      grouped(ids, await repository.findSuiteProducts(ids), (r) => r.editionId, (r) => r.productId),
    ),
  };
}
export type CatalogueLoaders = ReturnType<typeof createCatalogueLoaders>;
