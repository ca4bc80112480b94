import { randomUUID } from 'node:crypto';
import { badInput, conflict, forbidden, isUniqueViolation, LicenseMetric, notFound, SoftwareCategory, type Actor } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HistoryRepository } from '../history/history.repository';
import { distinct, isUuid } from '../ids';
import type { ServiceDeps } from '../org-unit/org-unit.service';
import type { CatalogueLoaders } from './catalogue.loader';
import { canOnCatalogue } from './catalogue.policy';
import {
  CatalogueRepository,
  type EditionListQuery,
  type EditionRecord,
  type NameCursor,
  type ProductListQuery,
  type ProductRecord,
  type PublisherRecord,
} from './catalogue.repository';

export interface MoneyValue {
  amount: string;
  currency: string;
}

export interface CreateProductCommand {
  publisher: string;
  name: string;
  category: SoftwareCategory;
  licensable: boolean;
  code?: string | null;
}

export interface UpdateProductCommand {
  id: string;
  name?: string | null;
  category?: SoftwareCategory | null;
  licensable?: boolean | null;
}

export interface CreateEditionCommand {
  productId: string;
  name: string;
  version?: string | null;
  sku?: string | null;
  metric?: LicenseMetric | null;
  listPrice?: MoneyValue | null;
  /** Editions this one may stand in for (downgrade rights). */
  covers?: readonly string[] | null;
  /** For a suite: the products it includes. */
  includesProducts?: readonly string[] | null;
  code?: string | null;
}

export interface UpdateEditionCommand {
  id: string;
  name?: string | null;
  version?: string | null;
  sku?: string | null;
  metric?: LicenseMetric | null;
  /** Omitted keeps the price; `clearListPrice` removes it. */
  listPrice?: MoneyValue | null;
  clearListPrice?: boolean | null;
  /** When given, replaces the downgrade rights. */
  covers?: readonly string[] | null;
  /** When given, replaces the suite contents. */
  includesProducts?: readonly string[] | null;
}

export interface UpdatePublisherCommand {
  id: string;
  name?: string | null;
  aliases?: readonly string[] | null;
}

/** The shape of `services/audit/src/normalization/default-catalogue.json`, with `key` called `code`. */
export interface CatalogueImport {
  products: ReadonlyArray<{ code: string; publisher: string; name: string; category: SoftwareCategory; licensable: boolean }>;
  editions: ReadonlyArray<{
    code: string;
    product: string;
    name: string;
    version?: string | null;
    sku?: string | null;
    metric: LicenseMetric;
    listPrice?: MoneyValue | null;
    covers?: readonly string[] | null;
    includesProducts?: readonly string[] | null;
  }>;
}

export interface CatalogueImportResult {
  products: Array<{ id: string; code: string }>;
  editions: Array<{ id: string; code: string }>;
  created: number;
  updated: number;
}

type CatalogueFileEntry = Record<string, unknown> & { key?: unknown; code?: unknown };

/** Reads the default catalogue file's `products` and `editions` (`key` → `code`; its `rules` are the audit service's). */
export function catalogueImportFromFile(data: { products?: unknown; editions?: unknown }): CatalogueImport {
  const withCode = (entry: CatalogueFileEntry) => ({ ...entry, code: entry.code ?? entry.key });
  return {
    products: ((data.products ?? []) as CatalogueFileEntry[]).map(withCode) as unknown as CatalogueImport['products'],
    editions: ((data.editions ?? []) as CatalogueFileEntry[]).map(withCode) as unknown as CatalogueImport['editions'],
  };
}

const conflictOn = (message: string) => (err: unknown) => {
  throw isUniqueViolation(err) ? conflict(message) : err;
};

/** Publishers, products and editions: shared reference data, read by everyone and changed by catalogue managers. */
export class CatalogueService {
  private readonly repository: CatalogueRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: CatalogueLoaders,
  ) {
    this.repository = new CatalogueRepository(deps.em);
  }

  private assertRead(actor: Actor): void {
    if (!canOnCatalogue(actor, 'read')) throw forbidden();
  }

  private assertManage(actor: Actor): void {
    if (!canOnCatalogue(actor, 'manage')) throw forbidden('The catalogue is shared by every unit: changing it takes MANAGE_CATALOGUE on an unscoped token');
  }

  async productById(actor: Actor, id: string): Promise<ProductRecord | null> {
    if (!canOnCatalogue(actor, 'read') || !isUuid(id)) return null;
    return this.loaders.productById.load(id);
  }

  async editionById(actor: Actor, id: string): Promise<EditionRecord | null> {
    if (!canOnCatalogue(actor, 'read') || !isUuid(id)) return null;
    return this.loaders.editionById.load(id);
  }

  async publisherById(actor: Actor, id: string): Promise<PublisherRecord | null> {
    if (!canOnCatalogue(actor, 'read') || !isUuid(id)) return null;
    return this.loaders.publisherById.load(id);
  }

  async editionsOf(actor: Actor, productId: string, includeRetired: boolean): Promise<EditionRecord[]> {
    this.assertRead(actor);
    const editions = await this.loaders.editionsOfProduct.load(productId);
    return includeRetired ? editions : editions.filter((e) => e.retiredAt === null);
  }

  async productsOf(actor: Actor, publisherId: string): Promise<ProductRecord[]> {
    this.assertRead(actor);
    return this.loaders.productsOfPublisher.load(publisherId);
  }

  async coversOf(actor: Actor, editionId: string): Promise<EditionRecord[]> {
    this.assertRead(actor);
    const ids = await this.loaders.downgradesOf.load(editionId);
    return (await this.loaders.editionById.loadMany(ids)).filter((e): e is EditionRecord => e !== null && !(e instanceof Error));
  }

  async suiteProductsOf(actor: Actor, editionId: string): Promise<ProductRecord[]> {
    this.assertRead(actor);
    const ids = await this.loaders.suiteProductsOf.load(editionId);
    return (await this.loaders.productById.loadMany(ids)).filter((p): p is ProductRecord => p !== null && !(p instanceof Error));
  }

  async listPublishers(actor: Actor, search: string | null, first: number, after: NameCursor | null) {
    this.assertRead(actor);
    const rows = await this.repository.listPublishers(search, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countPublishers(search) };
  }

  async listProducts(actor: Actor, query: ProductListQuery, first: number, after: NameCursor | null) {
    this.assertRead(actor);
    if (query.publisherId !== null && !isUuid(query.publisherId)) throw badInput('publisherId is not a valid id');
    const rows = await this.repository.listProducts(query, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countProducts(query) };
  }

  async listEditions(actor: Actor, query: EditionListQuery, first: number, after: NameCursor | null) {
    this.assertRead(actor);
    for (const [name, value] of [['productId', query.productId], ['publisherId', query.publisherId]] as const) {
      if (value !== null && !isUuid(value)) throw badInput(`${name} is not a valid id`);
    }
    const rows = await this.repository.listEditions(query, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countEditions(query) };
  }

  /** Creates a product; the publisher is named, matched by name or alias, and created when new. */
  async createProduct(actor: Actor, command: CreateProductCommand): Promise<ProductRecord> {
    this.assertManage(actor);
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const publisherId = (await repository.ensurePublishers([command.publisher.trim()])).get(command.publisher.trim());
      if (!publisherId) throw new Error('publisher was not created');
      const id = randomUUID();
      await tx
        .execute(`insert into registry.product (id, publisher_id, name, category, licensable, code) values (?, ?, ?, ?, ?, ?)`, [
          id,
          publisherId,
          command.name.trim(),
          command.category,
          command.licensable,
          command.code ?? null,
        ])
        .catch(conflictOn(`${command.publisher} already has a product named ${command.name}, or the code is taken`));
      const [product] = await repository.findProductsByIds([id]);
      await new HistoryRepository(tx).recordEvent(actor, this.deps.requestId, { action: 'product.create', entity: 'product', entityId: id, after: { ...product } });
      return product;
    });
  }

  async updateProduct(actor: Actor, command: UpdateProductCommand): Promise<ProductRecord> {
    this.assertManage(actor);
    if (!isUuid(command.id)) throw notFound('Product');
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const [before] = await tx.execute<Array<{ id: string }>>(`select id from registry.product where id = ? for update`, [command.id]);
      if (!before) throw notFound('Product');
      const [old] = await repository.findProductsByIds([command.id]);
      await tx
        .execute(
          `update registry.product set name = coalesce(?, name), category = coalesce(?::registry.software_category, category), licensable = coalesce(?, licensable) where id = ?`,
          [command.name?.trim() ?? null, command.category ?? null, command.licensable ?? null, command.id],
        )
        .catch(conflictOn(`The publisher already has a product named ${command.name}`));
      const [after] = await repository.findProductsByIds([command.id]);
      await this.recordCatalogueChange(tx, actor, 'product', 'update', old, { ...after }, old.licensable !== after.licensable || old.category !== after.category);
      return after;
    });
  }

  /** Retired products stay (entitlements and history refer to them) but leave the default lists. */
  async retireProduct(actor: Actor, id: string): Promise<ProductRecord> {
    this.assertManage(actor);
    if (!isUuid(id)) throw notFound('Product');
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const [old] = await repository.findProductsByIds([id]);
      if (!old) throw notFound('Product');
      if (old.retiredAt !== null) throw conflict('The product is already retired');
      await tx.execute(`update registry.product set retired_at = now() where id = ?`, [id]);
      const [after] = await repository.findProductsByIds([id]);
      await this.recordCatalogueChange(tx, actor, 'product', 'retire', old, { ...after }, true);
      return after;
    });
  }

  async createEdition(actor: Actor, command: CreateEditionCommand): Promise<EditionRecord> {
    this.assertManage(actor);
    if (!isUuid(command.productId)) throw notFound('Product');
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const [product] = await repository.findProductsByIds([command.productId]);
      if (!product) throw notFound('Product');
      const covers = await this.checkEditionIds(repository, command.covers ?? []);
      const suite = await this.checkProductIds(repository, command.includesProducts ?? []);
      const id = randomUUID();
      await tx
        .execute(
          `insert into registry.edition (id, product_id, name, version, sku, metric, list_price, list_currency, code) values (?, ?, ?, ?, ?, ?, ?::numeric, ?, ?)`,
          [
            id,
            product.id,
            command.name.trim(),
            command.version ?? null,
            command.sku ?? null,
            command.metric ?? LicenseMetric.PER_DEVICE,
            command.listPrice?.amount ?? null,
            command.listPrice?.currency ?? null,
            command.code ?? null,
          ],
        )
        .catch(conflictOn(`${product.name} already has an edition named ${command.name}, or the code is taken`));
      await repository.insertDowngrades(covers.map((coveredEditionId) => ({ editionId: id, coveredEditionId })));
      await repository.insertSuiteProducts(suite.map((productId) => ({ editionId: id, productId })));
      const [edition] = await repository.findEditionsByIds([id]);
      await this.recordCatalogueChange(tx, actor, 'edition', 'create', null, { ...edition, covers, includesProducts: suite }, covers.length > 0 || suite.length > 0);
      return edition;
    });
  }

  async updateEdition(actor: Actor, command: UpdateEditionCommand): Promise<EditionRecord> {
    this.assertManage(actor);
    if (!isUuid(command.id)) throw notFound('Edition');
    if (command.listPrice && command.clearListPrice) throw badInput('Give either listPrice or clearListPrice, not both');
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const [old] = await repository.findEditionsByIds([command.id]);
      if (!old) throw notFound('Edition');
      const oldCovers = (await repository.findDowngrades([old.id])).map((d) => d.coveredEditionId);
      const oldSuite = (await repository.findSuiteProducts([old.id])).map((s) => s.productId);
      const covers = command.covers ? await this.checkEditionIds(repository, command.covers) : oldCovers;
      if (covers.includes(old.id)) throw badInput('An edition cannot list itself in covers');
      const suite = command.includesProducts ? await this.checkProductIds(repository, command.includesProducts) : oldSuite;
      const price = command.clearListPrice ? null : (command.listPrice ?? (old.listPrice === null ? null : { amount: old.listPrice, currency: old.listCurrency ?? '' }));
      await tx
        .execute(
          `update registry.edition set name = coalesce(?, name), version = coalesce(?, version), sku = coalesce(?, sku),
             metric = coalesce(?::registry.license_metric, metric), list_price = ?::numeric, list_currency = ? where id = ?`,
          [command.name?.trim() ?? null, command.version ?? null, command.sku ?? null, command.metric ?? null, price?.amount ?? null, price?.currency ?? null, old.id],
        )
        .catch(conflictOn(`The product already has an edition named ${command.name}`));
      if (command.covers) await repository.replaceDowngrades([old.id], covers.map((coveredEditionId) => ({ editionId: old.id, coveredEditionId })));
      if (command.includesProducts) await repository.replaceSuiteProducts([old.id], suite.map((productId) => ({ editionId: old.id, productId })));
      const [after] = await repository.findEditionsByIds([old.id]);
      const coverageMoved = !sameSet(oldCovers, covers) || !sameSet(oldSuite, suite) || old.metric !== after.metric || old.listPrice !== after.listPrice;
      await this.recordCatalogueChange(
        tx,
        actor,
        'edition',
        'update',
        { ...old, covers: oldCovers, includesProducts: oldSuite },
        { ...after, covers, includesProducts: suite },
        coverageMoved,
      );
      return after;
    });
  }

  async retireEdition(actor: Actor, id: string): Promise<EditionRecord> {
    this.assertManage(actor);
    if (!isUuid(id)) throw notFound('Edition');
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const [old] = await repository.findEditionsByIds([id]);
      if (!old) throw notFound('Edition');
      if (old.retiredAt !== null) throw conflict('The edition is already retired');
      await tx.execute(`update registry.edition set retired_at = now() where id = ?`, [id]);
      const [after] = await repository.findEditionsByIds([id]);
      await this.recordCatalogueChange(tx, actor, 'edition', 'retire', old, { ...after }, true);
      return after;
    });
  }

  async updatePublisher(actor: Actor, command: UpdatePublisherCommand): Promise<PublisherRecord> {
    this.assertManage(actor);
    if (!isUuid(command.id)) throw notFound('Publisher');
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const [old] = await repository.findPublishersByIds([command.id]);
      if (!old) throw notFound('Publisher');
      const aliases = command.aliases ? distinct(command.aliases.map((a) => a.trim()).filter(Boolean)) : null;
      await tx
        .execute(`update registry.publisher set name = coalesce(?, name), aliases = coalesce(?::text[], aliases) where id = ?`, [
          command.name?.trim() ?? null,
          aliases ? `{${aliases.map((a) => `"${a.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}` : null,
          old.id,
        ])
        .catch(conflictOn(`A publisher named ${command.name} already exists`));
      const [after] = await repository.findPublishersByIds([old.id]);
      await new HistoryRepository(tx).recordEvent(actor, this.deps.requestId, { action: 'publisher.update', entity: 'publisher', entityId: old.id, before: { ...old }, after: { ...after } });
      return after;
    });
  }

  /**
   * Imports products and editions by `code`, idempotently: new codes are created, known ones updated when they
   * differ, unchanged ones left alone; an edition's `covers` (edition codes) and `includesProducts` (product
   * codes) replace its coverage. One transaction, a fixed number of statements whatever the size.
   */
  async importCatalogue(actor: Actor, input: CatalogueImport): Promise<CatalogueImportResult> {
    this.assertManage(actor);
    const problems = validateImport(input);
    if (problems.length > 0) throw badInput('The catalogue has problems; nothing was imported', { problems });
    return this.deps.em.transactional(async (tx) => {
      const repository = new CatalogueRepository(tx);
      const publishers = await repository.ensurePublishers(input.products.map((p) => p.publisher.trim()));
      const productRows = await repository
        .upsertProducts(
          input.products.map((p) => ({ code: p.code, publisherId: publishers.get(p.publisher.trim()) ?? '', name: p.name.trim(), category: p.category, licensable: p.licensable })),
        )
        .catch(conflictOn('A product of the same publisher and name already exists under another code'));
      const productCodes = distinct([...input.products.map((p) => p.code), ...input.editions.map((e) => e.product), ...input.editions.flatMap((e) => e.includesProducts ?? [])]);
      const productIds = await repository.findProductIdsByCodes(productCodes);
      const missingProducts = productCodes.filter((c) => !productIds.has(c));
      if (missingProducts.length > 0) throw badInput('Editions name unknown product codes; nothing was imported', { productCodes: missingProducts });

      const editionRows = await repository
        .upsertEditions(
          input.editions.map((e) => ({
            code: e.code,
            productId: productIds.get(e.product) ?? '',
            name: e.name.trim(),
            version: e.version ?? null,
            sku: e.sku ?? null,
            metric: e.metric,
            listPrice: e.listPrice?.amount ?? null,
            listCurrency: e.listPrice?.currency ?? null,
          })),
        )
        .catch(conflictOn('An edition of the same product and name already exists under another code'));
      const editionCodes = distinct([...input.editions.map((e) => e.code), ...input.editions.flatMap((e) => e.covers ?? [])]);
      const editionIds = await repository.findEditionIdsByCodes(editionCodes);
      const missingEditions = editionCodes.filter((c) => !editionIds.has(c));
      if (missingEditions.length > 0) throw badInput('covers names unknown edition codes; nothing was imported', { editionCodes: missingEditions });

      const importedEditionIds = input.editions.map((e) => editionIds.get(e.code) ?? '');
      const before = {
        downgrades: await repository.findDowngrades(importedEditionIds),
        suites: await repository.findSuiteProducts(importedEditionIds),
      };
      const downgrades = input.editions.flatMap((e) => (e.covers ?? []).map((c) => ({ editionId: editionIds.get(e.code) ?? '', coveredEditionId: editionIds.get(c) ?? '' })));
      const suites = input.editions.flatMap((e) => (e.includesProducts ?? []).map((c) => ({ editionId: editionIds.get(e.code) ?? '', productId: productIds.get(c) ?? '' })));
      await repository.replaceDowngrades(importedEditionIds, downgrades);
      await repository.replaceSuiteProducts(importedEditionIds, suites);
      const coverageChanged =
        !sameSet(before.downgrades.map((d) => `${d.editionId}>${d.coveredEditionId}`), downgrades.map((d) => `${d.editionId}>${d.coveredEditionId}`)) ||
        !sameSet(before.suites.map((s) => `${s.editionId}>${s.productId}`), suites.map((s) => `${s.editionId}>${s.productId}`));

      const changed = [...productRows.map((r) => ({ ...r, entity: 'product' })), ...editionRows.map((r) => ({ ...r, entity: 'edition' }))];
      const history = new HistoryRepository(tx);
      await history.recordEvents(
        actor,
        this.deps.requestId,
        changed.map((r) => ({ action: `${r.entity}.import`, entity: r.entity, entityId: r.id, after: { code: r.code, created: r.inserted } })),
      );
      if (changed.length > 0 || coverageChanged) {
        await history.appendChange({
          entity: 'catalogue',
          entityId: randomUUID(),
          action: 'import',
          orgUnitIds: [],
          details: { products: productRows.length, editions: editionRows.length, coverageChanged },
        });
      }
      return {
        products: input.products.map((p) => ({ id: productIds.get(p.code) ?? '', code: p.code })),
        editions: input.editions.map((e) => ({ id: editionIds.get(e.code) ?? '', code: e.code })),
        created: changed.filter((r) => r.inserted).length,
        updated: changed.filter((r) => !r.inserted).length,
      };
    });
  }

  private async checkEditionIds(repository: CatalogueRepository, ids: readonly string[]): Promise<string[]> {
    const wanted = distinct(ids);
    const invalid = wanted.filter((id) => !isUuid(id));
    const found = new Set((await repository.findEditionsByIds(wanted.filter(isUuid))).map((e) => e.id));
    const missing = [...invalid, ...wanted.filter((id) => isUuid(id) && !found.has(id))];
    if (missing.length > 0) throw badInput('covers names editions that do not exist', { editionIds: missing });
    return wanted;
  }

  private async checkProductIds(repository: CatalogueRepository, ids: readonly string[]): Promise<string[]> {
    const wanted = distinct(ids);
    const found = new Set((await repository.findProductsByIds(wanted.filter(isUuid))).map((p) => p.id));
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length > 0) throw badInput('includesProducts names products that do not exist', { productIds: missing });
    return wanted;
  }

  /** Audit event always; a change-log row when the change can move compliance (coverage, licensable, category, retirement). */
  private async recordCatalogueChange(
    tx: EntityManager,
    actor: Actor,
    entity: 'product' | 'edition',
    verb: string,
    before: Record<string, unknown> | EditionRecord | ProductRecord | null,
    after: { id: string } & Record<string, unknown>,
    movesCompliance: boolean,
  ): Promise<void> {
    const history = new HistoryRepository(tx);
    await history.recordEvent(actor, this.deps.requestId, {
      action: `${entity}.${verb}`,
      entity,
      entityId: after.id,
      before: before ? { ...before } : null,
      after: { ...after },
    });
    if (movesCompliance) await history.appendChange({ entity, entityId: after.id, action: verb, orgUnitIds: [] });
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

const categories = new Set<string>(Object.values(SoftwareCategory));
const metrics = new Set<string>(Object.values(LicenseMetric));
const CODE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Every problem of an import at once, with the entry it concerns. */
function validateImport(input: CatalogueImport): string[] {
  const problems: string[] = [];
  const seen = { product: new Set<string>(), edition: new Set<string>() };
  input.products.forEach((p, i) => {
    if (typeof p.code !== 'string' || !CODE.test(p.code)) problems.push(`products[${i}]: code must be 1-64 lowercase letters, digits, dots, dashes or underscores`);
    else if (seen.product.has(p.code)) problems.push(`products[${i}]: code ${p.code} appears twice`);
    else seen.product.add(p.code);
    if (typeof p.publisher !== 'string' || !p.publisher.trim() || p.publisher.length > 200) problems.push(`products[${i}]: publisher must be 1-200 characters`);
    if (typeof p.name !== 'string' || !p.name.trim() || p.name.length > 200) problems.push(`products[${i}]: name must be 1-200 characters`);
    if (typeof p.licensable !== 'boolean') problems.push(`products[${i}]: licensable must be true or false`);
    if (!categories.has(p.category)) problems.push(`products[${i}]: category must be one of ${[...categories].join(', ')}`);
  });
  input.editions.forEach((e, i) => {
    if (typeof e.code !== 'string' || !CODE.test(e.code)) problems.push(`editions[${i}]: code must be 1-64 lowercase letters, digits, dots, dashes or underscores`);
    else if (seen.edition.has(e.code)) problems.push(`editions[${i}]: code ${e.code} appears twice`);
    else seen.edition.add(e.code);
    if (typeof e.name !== 'string' || !e.name.trim() || e.name.length > 200) problems.push(`editions[${i}]: name must be 1-200 characters`);
    if (!metrics.has(e.metric)) problems.push(`editions[${i}]: metric must be one of ${[...metrics].join(', ')}`);
    if (typeof e.product !== 'string') problems.push(`editions[${i}]: product must be a product code`);
    if ((e.covers ?? []).includes(e.code)) problems.push(`editions[${i}]: an edition cannot cover itself`);
    if (e.listPrice && (!/^\d{1,15}(\.\d{1,4})?$/.test(e.listPrice.amount) || !/^[A-Z]{3}$/.test(e.listPrice.currency))) {
      problems.push(`editions[${i}]: listPrice must be a non-negative decimal with at most 4 decimals and an ISO 4217 currency`);
    }
  });
  return problems;
}
