import { isoTime } from '../sql';
import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface SupplierRecord {
  id: string;
  name: string;
}

export interface PurchaseRecord {
  id: string;
  orgUnitId: string;
  supplierId: string;
  orderNumber: string;
  invoiceNumber: string | null;
  /** `YYYY-MM-DD`. */
  purchasedOn: string;
  procurementMethod: string | null;
  currency: string;
  createdAt: string;
}

export interface PurchaseListQuery {
  rootUnitId: string | null;
  includeDescendants: boolean;
  supplierId: string | null;
  from: string | null;
  to: string | null;
  search: string | null;
}

/** Keyset position: [purchasedOn, id], newest first. */
export type PurchaseCursor = [string, string];

export type SpendPeriod = 'MONTH' | 'QUARTER' | 'YEAR';

export interface SpendRow {
  orgUnitId: string;
  periodStart: string;
  currency: string;
  amount: string;
  purchases: number;
  seats: number;
}

const columns = `p.id, p.org_unit_id as "orgUnitId", p.supplier_id as "supplierId", p.order_number as "orderNumber", p.invoice_number as "invoiceNumber",
  p.purchased_on::text as "purchasedOn", p.procurement_method as "procurementMethod", p.currency, ${isoTime('p.created_at')} as "createdAt"`;

function listWhere(q: PurchaseListQuery): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.rootUnitId !== null) {
    clauses.push(q.includeDescendants ? `p.org_unit_id in (select descendant_id from registry.org_unit_closure where ancestor_id = ?)` : `p.org_unit_id = ?`);
    params.push(q.rootUnitId);
  }
  if (q.supplierId !== null) {
    clauses.push(`p.supplier_id = ?::uuid`);
    params.push(q.supplierId);
  }
  if (q.from !== null) {
    clauses.push(`p.purchased_on >= ?::date`);
    params.push(q.from);
  }
  if (q.to !== null) {
    clauses.push(`p.purchased_on <= ?::date`);
    params.push(q.to);
  }
  if (q.search !== null) {
    clauses.push(`(p.order_number ilike ? or p.invoice_number ilike ?)`);
    const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(pattern, pattern);
  }
  return { sql: clauses.length ? clauses.join(' and ') : 'true', params };
}

/** Queries over purchases and suppliers; money is summed in SQL, exactly. */
export class PurchaseRepository {
  constructor(private readonly em: EntityManager) {}

  async findByIds(ids: readonly string[]): Promise<PurchaseRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select ${columns} from registry.purchase p where p.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async findSuppliersByIds(ids: readonly string[]): Promise<SupplierRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select id, name from registry.supplier where id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  /** Sum of quantity × unit price of each purchase's lines, as exact decimal text. */
  async totals(purchaseIds: readonly string[]): Promise<Map<string, string>> {
    if (purchaseIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; total: string }>>(
      `select p.id, coalesce(sum(e.quantity * e.unit_price), 0)::text as total
         from registry.purchase p left join registry.entitlement e on e.purchase_id = p.id
        where p.id = any(?::uuid[]) group by p.id`,
      [sqlArray(purchaseIds)],
    );
    return new Map(rows.map((r) => [r.id, r.total]));
  }

  /** The supplier named `name`, created when new (concurrent creations meet at the unique index). */
  async ensureSupplier(name: string): Promise<string> {
    await this.em.execute(`insert into registry.supplier (id, name) values (gen_random_uuid(), ?) on conflict (name) do nothing`, [name]);
    const [row] = await this.em.execute<Array<{ id: string }>>(`select id from registry.supplier where name = ?`, [name]);
    return row.id;
  }

  async list(q: PurchaseListQuery, after: PurchaseCursor | null, limit: number): Promise<PurchaseRecord[]> {
    const where = listWhere(q);
    return this.em.execute(
      `select ${columns} from registry.purchase p where ${where.sql}
          ${after ? 'and (p.purchased_on, p.id) < (?::date, ?::uuid)' : ''}
        order by p.purchased_on desc, p.id desc limit ?`,
      [...where.params, ...(after ?? []), limit],
    );
  }

  async count(q: PurchaseListQuery): Promise<number> {
    const where = listWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from registry.purchase p where ${where.sql}`, where.params);
    return Number(row.n);
  }

  /** Suppliers by name; with a scope, only those a unit of the subtree bought from. */
  async listSuppliers(rootUnitId: string | null, search: string | null, after: [string, string] | null, limit: number): Promise<SupplierRecord[]> {
    const where = supplierWhere(rootUnitId, search);
    return this.em.execute(
      `select id, name from registry.supplier s where ${where.sql} ${after ? 'and (name, id) > (?, ?::uuid)' : ''}
        order by name, id limit ?`,
      [...where.params, ...(after ?? []), limit],
    );
  }

  async countSuppliers(rootUnitId: string | null, search: string | null): Promise<number> {
    const where = supplierWhere(rootUnitId, search);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from registry.supplier s where ${where.sql}`, where.params);
    return Number(row.n);
  }

  /**
   * Spend per buying unit, period and currency: Σ quantity × unit price of the purchases' lines, in numeric
   * arithmetic (exact), for the purchases of the subtree (or the unit alone) between `from` and `to` inclusive.
   */
  async spend(q: { rootUnitId: string | null; includeDescendants: boolean; from: string | null; to: string | null; period: SpendPeriod }): Promise<SpendRow[]> {
    const unit = q.period === 'MONTH' ? 'month' : q.period === 'QUARTER' ? 'quarter' : 'year';
    const where = listWhere({ rootUnitId: q.rootUnitId, includeDescendants: q.includeDescendants, supplierId: null, from: q.from, to: q.to, search: null });
    return this.em.execute(
      `select p.org_unit_id as "orgUnitId", date_trunc('${unit}', p.purchased_on)::date::text as "periodStart", p.currency,
              coalesce(sum(e.quantity * e.unit_price), 0)::text as amount, count(distinct p.id)::int as purchases,
              coalesce(sum(e.quantity), 0)::int as seats
         from registry.purchase p left join registry.entitlement e on e.purchase_id = p.id
        where ${where.sql}
        group by p.org_unit_id, 2, p.currency
        order by 2, p.org_unit_id, p.currency`,
      where.params,
    );
  }

  /** Totals per currency over the same purchases as `spend`. */
  async spendTotals(q: { rootUnitId: string | null; includeDescendants: boolean; from: string | null; to: string | null }): Promise<Array<{ currency: string; amount: string }>> {
    const where = listWhere({ ...q, supplierId: null, search: null });
    return this.em.execute(
      `select p.currency, coalesce(sum(e.quantity * e.unit_price), 0)::text as amount
         from registry.purchase p left join registry.entitlement e on e.purchase_id = p.id
        where ${where.sql} group by p.currency order by p.currency`,
      where.params,
    );
  }
}

function supplierWhere(rootUnitId: string | null, search: string | null): { sql: string; params: unknown[] } {
  const pattern = search === null ? null : `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (rootUnitId === null) return { sql: `(?::text is null or s.name ilike ?)`, params: [pattern, pattern] };
  return {
    sql: `(?::text is null or s.name ilike ?) and exists (select 1 from registry.purchase p
            join registry.org_unit_closure c on c.descendant_id = p.org_unit_id and c.ancestor_id = ? where p.supplier_id = s.id)`,
    params: [pattern, pattern, rootUnitId],
  };
}
