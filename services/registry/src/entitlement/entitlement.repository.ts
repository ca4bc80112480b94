import { isoTime } from '../sql';
import { sqlArray, type Allocation, type EntitlementType, type LicenseMetric } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface EntitlementRecord {
  id: string;
  editionId: string;
  orgUnitId: string;
  purchaseId: string | null;
  lineNo: number | null;
  quantity: number;
  metric: LicenseMetric;
  type: EntitlementType;
  allocation: Allocation;
  /** `YYYY-MM-DD`. */
  validFrom: string;
  validUntil: string | null;
  unitPrice: string | null;
  currency: string | null;
  assetTag: string | null;
  oemMachineId: string | null;
  retiredAt: string | null;
  createdAt: string;
}

export interface EntitlementListQuery {
  rootUnitId: string | null;
  includeDescendants: boolean;
  editionId: string | null;
  productId: string | null;
  /** Only entitlements valid on this day (and not retired). */
  activeOn: string | null;
  includeRetired: boolean;
  assetTag: string | null;
}

/** An entitlement as an OEM binding checks it, read under its row lock. */
export interface LockedForBinding {
  id: string;
  orgUnitId: string;
  type: EntitlementType;
  quantity: number;
  metric: LicenseMetric;
  allocation: Allocation;
  expired: boolean;
  retired: boolean;
  oemMachineId: string | null;
  /** Seats held now (an OEM license's one seat is its binding). */
  activeSeats: number;
}

/** A machine as an OEM binding checks it. */
export interface BindingMachine {
  id: string;
  orgUnitId: string;
  status: string;
}

/** Keyset position: [createdAt ISO, id]. */
export type EntitlementCursor = [string, string];

export const entitlementColumns = `e.id, e.edition_id as "editionId", e.org_unit_id as "orgUnitId", e.purchase_id as "purchaseId", e.line_no as "lineNo",
  e.quantity, e.metric, e.type, e.allocation, e.valid_from::text as "validFrom", e.valid_until::text as "validUntil",
  e.unit_price::text as "unitPrice", e.currency, e.asset_tag as "assetTag", e.oem_machine_id as "oemMachineId",
  ${isoTime('e.retired_at')} as "retiredAt", ${isoTime('e.created_at')} as "createdAt"`;

function listWhere(q: EntitlementListQuery): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.rootUnitId !== null) {
    clauses.push(q.includeDescendants ? `e.org_unit_id in (select descendant_id from registry.org_unit_closure where ancestor_id = ?)` : `e.org_unit_id = ?`);
    params.push(q.rootUnitId);
  }
  if (q.editionId !== null) {
    clauses.push(`e.edition_id = ?::uuid`);
    params.push(q.editionId);
  }
  if (q.productId !== null) {
    clauses.push(`e.edition_id in (select id from registry.edition where product_id = ?::uuid)`);
    params.push(q.productId);
  }
  if (q.activeOn !== null) {
    clauses.push(`e.retired_at is null and e.valid_from <= ?::date and (e.valid_until is null or e.valid_until >= ?::date)`);
    params.push(q.activeOn, q.activeOn);
  } else if (!q.includeRetired) {
    clauses.push(`e.retired_at is null`);
  }
  if (q.assetTag !== null) {
    clauses.push(`e.asset_tag = ?`);
    params.push(q.assetTag);
  }
  return { sql: clauses.length ? clauses.join(' and ') : 'true', params };
}

/** Queries over entitlements; array-in methods for loaders. */
export class EntitlementRepository {
  constructor(private readonly em: EntityManager) {}

  async findByIds(ids: readonly string[]): Promise<EntitlementRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select ${entitlementColumns} from registry.entitlement e where e.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async findByPurchases(purchaseIds: readonly string[]): Promise<EntitlementRecord[]> {
    if (purchaseIds.length === 0) return [];
    return this.em.execute(`select ${entitlementColumns} from registry.entitlement e where e.purchase_id = any(?::uuid[]) order by e.line_no, e.id`, [
      sqlArray(purchaseIds),
    ]);
  }

  async list(q: EntitlementListQuery, after: EntitlementCursor | null, limit: number): Promise<EntitlementRecord[]> {
    const where = listWhere(q);
    return this.em.execute(
      `select ${entitlementColumns} from registry.entitlement e where ${where.sql}
          ${after ? 'and (e.created_at, e.id) > (?::timestamptz, ?::uuid)' : ''}
        order by e.created_at, e.id limit ?`,
      [...where.params, ...(after ?? []), limit],
    );
  }

  async count(q: EntitlementListQuery): Promise<number> {
    const where = listWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from registry.entitlement e where ${where.sql}`, where.params);
    return Number(row.n);
  }

  /**
   * The entitlement, locked until the transaction ends (`FOR UPDATE`, the lock every seat change takes), with what
   * an OEM binding depends on: a concurrent bind, seat assignment, transfer or retirement waits for it.
   */
  async lockForBinding(id: string): Promise<LockedForBinding | null> {
    const [row] = await this.em.execute<LockedForBinding[]>(
      `select e.id, e.org_unit_id as "orgUnitId", e.type, e.quantity, e.metric, e.allocation, e.oem_machine_id as "oemMachineId",
              coalesce(e.valid_until < current_date, false) as expired, e.retired_at is not null as retired,
              (select count(*)::int from registry.assignment a where a.entitlement_id = e.id and a.revoked_at is null) as "activeSeats"
         from registry.entitlement e where e.id = ? for update of e`,
      [id],
    );
    return row ?? null;
  }

  /** Machines by id, locked against a concurrent move or retirement until the transaction ends (`FOR SHARE`). */
  async machinesForBinding(ids: readonly string[]): Promise<BindingMachine[]> {
    if (ids.length === 0) return [];
    return this.em.execute<BindingMachine[]>(
      `select id, org_unit_id as "orgUnitId", status from registry.machine where id = any(?::uuid[]) order by id for share`,
      [sqlArray(ids)],
    );
  }

  /** Whether `unitId` lies in the subtree of `ancestorId` (itself included). */
  async isUnder(unitId: string, ancestorId: string): Promise<boolean> {
    const rows = await this.em.execute(`select 1 from registry.org_unit_closure where ancestor_id = ? and descendant_id = ?`, [ancestorId, unitId]);
    return rows.length > 0;
  }

  async setOemMachine(id: string, machineId: string | null): Promise<void> {
    await this.em.execute(`update registry.entitlement set oem_machine_id = ?, updated_at = now() where id = ?`, [machineId, id]);
  }
}
