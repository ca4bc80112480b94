import { isoTime } from '../sql';
import { sqlArray, type LicenseMetric, type SoftwareCategory } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface PublisherRecord {
  id: string;
  name: string;
  aliases: string[];
}

export interface ProductRecord {
  id: string;
  code: string | null;
  publisherId: string;
  name: string;
  category: SoftwareCategory;
  licensable: boolean;
  retiredAt: string | null;
}

export interface EditionRecord {
  id: string;
  code: string | null;
  productId: string;
  name: string;
  version: string | null;
  sku: string | null;
  metric: LicenseMetric;
  listPrice: string | null;
  listCurrency: string | null;
  retiredAt: string | null;
}

export interface ProductListQuery {
  category: SoftwareCategory | null;
  publisherId: string | null;
  search: string | null;
  includeRetired: boolean;
}

export interface EditionListQuery extends ProductListQuery {
  productId: string | null;
  metric: LicenseMetric | null;
}

/** Keyset position in name order: [name, id]. */
export type NameCursor = [string, string];

const publisherColumns = `p.id, p.name, p.aliases`;
const productColumns = `p.id, p.code, p.publisher_id as "publisherId", p.name, p.category, p.licensable, ${isoTime('p.retired_at')} as "retiredAt"`;
const editionColumns = `e.id, e.code, e.product_id as "productId", e.name, e.version, e.sku, e.metric, e.list_price::text as "listPrice",
  e.list_currency as "listCurrency", ${isoTime('e.retired_at')} as "retiredAt"`;

export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Matches a publisher by its name or one of its aliases, ignoring case. */
const publisherMatches = (alias: string, param: string) =>
  `(lower(${alias}.name) = lower(${param}) or exists (select 1 from unnest(${alias}.aliases) a where lower(a) = lower(${param})))`;

function productWhere(q: ProductListQuery, alias = 'p'): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (!q.includeRetired) clauses.push(`${alias}.retired_at is null`);
  if (q.category !== null) {
    clauses.push(`${alias}.category = ?`);
    params.push(q.category);
  }
  if (q.publisherId !== null) {
    clauses.push(`${alias}.publisher_id = ?::uuid`);
    params.push(q.publisherId);
  }
  if (q.search !== null) {
    clauses.push(`(${alias}.name ilike ? or ${alias}.code ilike ? or exists (select 1 from registry.publisher pub where pub.id = ${alias}.publisher_id and pub.name ilike ?))`);
    const pattern = likePattern(q.search);
    params.push(pattern, pattern, pattern);
  }
  return { sql: clauses.length ? clauses.join(' and ') : 'true', params };
}

function editionWhere(q: EditionListQuery): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (!q.includeRetired) clauses.push(`e.retired_at is null and p.retired_at is null`);
  if (q.productId !== null) {
    clauses.push(`e.product_id = ?::uuid`);
    params.push(q.productId);
  }
  if (q.category !== null) {
    clauses.push(`p.category = ?`);
    params.push(q.category);
  }
  if (q.publisherId !== null) {
    clauses.push(`p.publisher_id = ?::uuid`);
    params.push(q.publisherId);
  }
  if (q.metric !== null) {
    clauses.push(`e.metric = ?`);
    params.push(q.metric);
  }
  if (q.search !== null) {
    clauses.push(`(e.name ilike ? or e.code ilike ? or e.sku ilike ? or p.name ilike ?)`);
    const pattern = likePattern(q.search);
    params.push(pattern, pattern, pattern, pattern);
  }
  return { sql: clauses.length ? clauses.join(' and ') : 'true', params };
}

/** Queries over publishers, products and editions; array-in methods for loaders. */
export class CatalogueRepository {
  constructor(private readonly em: EntityManager) {}

  async findPublishersByIds(ids: readonly string[]): Promise<PublisherRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select ${publisherColumns} from registry.publisher p where p.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async findProductsByIds(ids: readonly string[]): Promise<ProductRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select ${productColumns} from registry.product p where p.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async findProductsByPublishers(publisherIds: readonly string[]): Promise<ProductRecord[]> {
    if (publisherIds.length === 0) return [];
    return this.em.execute(`select ${productColumns} from registry.product p where p.publisher_id = any(?::uuid[]) order by p.name, p.id`, [
      sqlArray(publisherIds),
    ]);
  }

  async findEditionsByIds(ids: readonly string[]): Promise<EditionRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select ${editionColumns} from registry.edition e where e.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async findEditionsByProducts(productIds: readonly string[]): Promise<EditionRecord[]> {
    if (productIds.length === 0) return [];
    return this.em.execute(`select ${editionColumns} from registry.edition e where e.product_id = any(?::uuid[]) order by e.name, e.id`, [
      sqlArray(productIds),
    ]);
  }

  async findProductIdsByCodes(codes: readonly string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; code: string }>>(`select id, code from registry.product where code = any(?::text[])`, [sqlArray(codes)]);
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  async findEditionIdsByCodes(codes: readonly string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; code: string }>>(`select id, code from registry.edition where code = any(?::text[])`, [sqlArray(codes)]);
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  /** Direct downgrade rights of each edition: the editions it may stand in for. */
  async findDowngrades(editionIds: readonly string[]): Promise<Array<{ editionId: string; coveredEditionId: string }>> {
    if (editionIds.length === 0) return [];
    return this.em.execute(
      `select d.edition_id as "editionId", d.covered_edition_id as "coveredEditionId"
         from registry.edition_downgrade d join registry.edition c on c.id = d.covered_edition_id
        where d.edition_id = any(?::uuid[]) order by c.name, c.id`,
      [sqlArray(editionIds)],
    );
  }

  async findSuiteProducts(editionIds: readonly string[]): Promise<Array<{ editionId: string; productId: string }>> {
    if (editionIds.length === 0) return [];
    return this.em.execute(
      `select s.edition_id as "editionId", s.product_id as "productId"
         from registry.edition_suite_product s join registry.product p on p.id = s.product_id
        where s.edition_id = any(?::uuid[]) order by p.name, p.id`,
      [sqlArray(editionIds)],
    );
  }

  async listPublishers(search: string | null, after: NameCursor | null, limit: number): Promise<PublisherRecord[]> {
    return this.em.execute(
      `select ${publisherColumns} from registry.publisher p
        where (?::text is null or p.name ilike ? or exists (select 1 from unnest(p.aliases) a where a ilike ?))
          ${after ? 'and (p.name, p.id) > (?, ?::uuid)' : ''}
        order by p.name, p.id limit ?`,
      [search, ...Array(2).fill(search === null ? null : likePattern(search)), ...(after ?? []), limit],
    );
  }

  async countPublishers(search: string | null): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: string }>>(
      `select count(*) as n from registry.publisher p
        where (?::text is null or p.name ilike ? or exists (select 1 from unnest(p.aliases) a where a ilike ?))`,
      [search, ...Array(2).fill(search === null ? null : likePattern(search))],
    );
    return Number(row.n);
  }

  async listProducts(q: ProductListQuery, after: NameCursor | null, limit: number): Promise<ProductRecord[]> {
    const where = productWhere(q);
    return this.em.execute(
      `select ${productColumns} from registry.product p where ${where.sql} ${after ? 'and (p.name, p.id) > (?, ?::uuid)' : ''}
        order by p.name, p.id limit ?`,
      [...where.params, ...(after ?? []), limit],
    );
  }

  async countProducts(q: ProductListQuery): Promise<number> {
    const where = productWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from registry.product p where ${where.sql}`, where.params);
    return Number(row.n);
  }

  async listEditions(q: EditionListQuery, after: NameCursor | null, limit: number): Promise<EditionRecord[]> {
    const where = editionWhere(q);
    return this.em.execute(
      `select ${editionColumns} from registry.edition e join registry.product p on p.id = e.product_id
        where ${where.sql} ${after ? 'and (e.name, e.id) > (?, ?::uuid)' : ''}
        order by e.name, e.id limit ?`,
      [...where.params, ...(after ?? []), limit],
    );
  }

  async countEditions(q: EditionListQuery): Promise<number> {
    const where = editionWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(
      `select count(*) as n from registry.edition e join registry.product p on p.id = e.product_id where ${where.sql}`,
      where.params,
    );
    return Number(row.n);
  }

  /**
   * The publisher each name means (by name or alias, ignoring case), creating the missing ones. Concurrent
   * creations of the same name meet at the unique index and both read the winner.
   */
  async ensurePublishers(names: readonly string[]): Promise<Map<string, string>> {
    const distinct = [...new Set(names)];
    if (distinct.length === 0) return new Map();
    await this.em.execute(
      `insert into registry.publisher (id, name)
       select gen_random_uuid(), n from unnest(?::text[]) as n
        where not exists (select 1 from registry.publisher p where ${publisherMatches('p', 'n')})
       on conflict (name) do nothing`,
      [sqlArray(distinct)],
    );
    const rows = await this.em.execute<Array<{ name: string; id: string }>>(
      `select n as name, (select p.id from registry.publisher p where ${publisherMatches('p', 'n')}
                           order by (p.name = n) desc, (lower(p.name) = lower(n)) desc, p.created_at limit 1) as id
         from unnest(?::text[]) as n`,
      [sqlArray(distinct)],
    );
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  async insertDowngrades(pairs: ReadonlyArray<{ editionId: string; coveredEditionId: string }>): Promise<void> {
    if (pairs.length === 0) return;
    await this.em.execute(
      `insert into registry.edition_downgrade (edition_id, covered_edition_id)
       select x.edition_id, x.covered_edition_id from jsonb_to_recordset(?::jsonb) as x(edition_id uuid, covered_edition_id uuid)
       on conflict do nothing`,
      [JSON.stringify(pairs.map((p) => ({ edition_id: p.editionId, covered_edition_id: p.coveredEditionId })))],
    );
  }

  async insertSuiteProducts(pairs: ReadonlyArray<{ editionId: string; productId: string }>): Promise<void> {
    if (pairs.length === 0) return;
    await this.em.execute(
      `insert into registry.edition_suite_product (edition_id, product_id)
       select x.edition_id, x.product_id from jsonb_to_recordset(?::jsonb) as x(edition_id uuid, product_id uuid)
       on conflict do nothing`,
      [JSON.stringify(pairs.map((p) => ({ edition_id: p.editionId, product_id: p.productId })))],
    );
  }

  /** Replaces the downgrade rights of `editionIds` with `pairs` (which must only name those editions). */
  async replaceDowngrades(editionIds: readonly string[], pairs: ReadonlyArray<{ editionId: string; coveredEditionId: string }>): Promise<void> {
    if (editionIds.length === 0) return;
    await this.em.execute(
      `delete from registry.edition_downgrade d where d.edition_id = any(?::uuid[])
          and not exists (select 1 from jsonb_to_recordset(?::jsonb) as x(edition_id uuid, covered_edition_id uuid)
                           where x.edition_id = d.edition_id and x.covered_edition_id = d.covered_edition_id)`,
      [sqlArray(editionIds), JSON.stringify(pairs.map((p) => ({ edition_id: p.editionId, covered_edition_id: p.coveredEditionId })))],
    );
    await this.insertDowngrades(pairs);
  }

  async replaceSuiteProducts(editionIds: readonly string[], pairs: ReadonlyArray<{ editionId: string; productId: string }>): Promise<void> {
    if (editionIds.length === 0) return;
    await this.em.execute(
      `delete from registry.edition_suite_product s where s.edition_id = any(?::uuid[])
          and not exists (select 1 from jsonb_to_recordset(?::jsonb) as x(edition_id uuid, product_id uuid)
                           where x.edition_id = s.edition_id and x.product_id = s.product_id)`,
      [sqlArray(editionIds), JSON.stringify(pairs.map((p) => ({ edition_id: p.editionId, product_id: p.productId })))],
    );
    await this.insertSuiteProducts(pairs);
  }

  /**
   * Upserts products by code in one statement. A product of the same publisher and name without a code is
   * adopted (given the code) rather than duplicated. Returns the ids of the rows it inserted or changed.
   */
  async upsertProducts(rows: ReadonlyArray<{ code: string; publisherId: string; name: string; category: SoftwareCategory; licensable: boolean }>) {
    const payload = JSON.stringify(rows.map((r) => ({ code: r.code, publisher_id: r.publisherId, name: r.name, category: r.category, licensable: r.licensable })));
    const recordset = `jsonb_to_recordset(?::jsonb) as x(code text, publisher_id uuid, name text, category text, licensable boolean)`;
    await this.em.execute(
      `update registry.product p set code = x.code from ${recordset}
        where p.code is null and p.publisher_id = x.publisher_id and p.name = x.name
          and not exists (select 1 from registry.product o where o.code = x.code)`,
      [payload],
    );
    return this.em.execute<Array<{ id: string; code: string; inserted: boolean }>>(
      `insert into registry.product as p (id, publisher_id, name, category, licensable, code)
       select gen_random_uuid(), x.publisher_id, x.name, x.category::registry.software_category, x.licensable, x.code from ${recordset}
       on conflict (code) do update set publisher_id = excluded.publisher_id, name = excluded.name, category = excluded.category, licensable = excluded.licensable
        where (p.publisher_id, p.name, p.category, p.licensable) is distinct from (excluded.publisher_id, excluded.name, excluded.category, excluded.licensable)
       returning p.id, p.code, (xmax = 0) as inserted`,
      [payload],
    );
  }

  /** Upserts editions by code in one statement, adopting an uncoded edition of the same product and name. */
  async upsertEditions(
    rows: ReadonlyArray<{ code: string; productId: string; name: string; version: string | null; sku: string | null; metric: LicenseMetric; listPrice: string | null; listCurrency: string | null }>,
  ) {
    const payload = JSON.stringify(
      rows.map((r) => ({ code: r.code, product_id: r.productId, name: r.name, version: r.version, sku: r.sku, metric: r.metric, list_price: r.listPrice, list_currency: r.listCurrency })),
    );
    const recordset = `jsonb_to_recordset(?::jsonb) as x(code text, product_id uuid, name text, version text, sku text, metric text, list_price numeric, list_currency text)`;
    await this.em.execute(
      `update registry.edition e set code = x.code from ${recordset}
        where e.code is null and e.product_id = x.product_id and e.name = x.name
          and not exists (select 1 from registry.edition o where o.code = x.code)`,
      [payload],
    );
    return this.em.execute<Array<{ id: string; code: string; inserted: boolean }>>(
      `insert into registry.edition as e (id, product_id, name, version, sku, metric, list_price, list_currency, code)
       select gen_random_uuid(), x.product_id, x.name, x.version, x.sku, x.metric::registry.license_metric, x.list_price, x.list_currency, x.code from ${recordset}
       on conflict (code) do update set product_id = excluded.product_id, name = excluded.name, version = excluded.version, sku = coalesce(excluded.sku, e.sku),
         metric = excluded.metric, list_price = excluded.list_price, list_currency = excluded.list_currency
        where (e.product_id, e.name, e.version, e.metric, e.list_price, e.list_currency) is distinct from
              (excluded.product_id, excluded.name, excluded.version, excluded.metric, excluded.list_price, excluded.list_currency)
           or (excluded.sku is not null and e.sku is distinct from excluded.sku)
       returning e.id, e.code, (xmax = 0) as inserted`,
      [payload],
    );
  }
}
