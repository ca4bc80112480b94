import { isoTime } from '../sql';
import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface AssignmentRecord {
  id: string;
  entitlementId: string;
  machineId: string | null;
  personId: string | null;
  assignedAt: string;
  assignedBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** A revoked seat with the unit owning its entitlement (for the change log). */
export type RevokedAssignment = AssignmentRecord & { ownerUnitId: string };

/** The entitlement row as the seat check sees it under its lock. */
export interface LockedEntitlement {
  id: string;
  orgUnitId: string;
  editionId: string;
  quantity: number;
  metric: string;
  allocation: string;
  expired: boolean;
  retired: boolean;
  /** An OEM entitlement bound to its machine: that machine holds its one seat. */
  oemBound: boolean;
}

const columns = `a.id, a.entitlement_id as "entitlementId", a.machine_id as "machineId", a.person_id as "personId", ${isoTime('a.assigned_at')} as "assignedAt",
  a.assigned_by as "assignedBy", ${isoTime('a.revoked_at')} as "revokedAt", a.revoked_by as "revokedBy"`;

/** Seats: reads for loaders, and the writes that run under the entitlement's row lock. */
export class AssignmentRepository {
  constructor(private readonly em: EntityManager) {}

  async findByIds(ids: readonly string[]): Promise<AssignmentRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select ${columns} from registry.assignment a where a.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  /** Seats held by machines (newest first), active ones only unless asked. */
  async findByMachines(machineIds: readonly string[], includeRevoked: boolean): Promise<AssignmentRecord[]> {
    if (machineIds.length === 0) return [];
    return this.em.execute(
      `select ${columns} from registry.assignment a where a.machine_id = any(?::uuid[]) ${includeRevoked ? '' : 'and a.revoked_at is null'}
        order by a.assigned_at desc, a.id`,
      [sqlArray(machineIds)],
    );
  }

  async findByPersons(personIds: readonly string[], includeRevoked: boolean): Promise<AssignmentRecord[]> {
    if (personIds.length === 0) return [];
    return this.em.execute(
      `select ${columns} from registry.assignment a where a.person_id = any(?::uuid[]) ${includeRevoked ? '' : 'and a.revoked_at is null'}
        order by a.assigned_at desc, a.id`,
      [sqlArray(personIds)],
    );
  }

  /** A page of each entitlement's seats (oldest first), in one statement. */
  async pageOfEntitlements(entitlementIds: readonly string[], includeRevoked: boolean, after: [string, string] | null, limit: number): Promise<AssignmentRecord[]> {
    if (entitlementIds.length === 0) return [];
    return this.em.execute(
      `select ${columns} from unnest(?::uuid[]) as q(id)
         cross join lateral (
           select * from registry.assignment x where x.entitlement_id = q.id ${includeRevoked ? '' : 'and x.revoked_at is null'}
             ${after ? 'and (x.assigned_at, x.id) > (?::timestamptz, ?::uuid)' : ''}
            order by x.assigned_at, x.id limit ?
         ) a`,
      [sqlArray(entitlementIds), ...(after ?? []), limit],
    );
  }

  async countOfEntitlements(entitlementIds: readonly string[], includeRevoked: boolean): Promise<Map<string, number>> {
    if (entitlementIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; n: number }>>(
      `select entitlement_id as id, count(*)::int as n from registry.assignment
        where entitlement_id = any(?::uuid[]) ${includeRevoked ? '' : 'and revoked_at is null'} group by entitlement_id`,
      [sqlArray(entitlementIds)],
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /**
   * Locks the entitlement row (`FOR UPDATE`) for the rest of the transaction: every seat change of one
   * entitlement queues here, so the count that follows cannot be overtaken by a concurrent assignment.
   */
  async lockEntitlement(entitlementId: string): Promise<LockedEntitlement | null> {
    const [row] = await this.em.execute<LockedEntitlement[]>(
      `select id, org_unit_id as "orgUnitId", edition_id as "editionId", quantity, metric, allocation,
              coalesce(valid_until < current_date, false) as expired, retired_at is not null as retired,
              oem_machine_id is not null as "oemBound"
         from registry.entitlement where id = ? for update`,
      [entitlementId],
    );
    return row ?? null;
  }

  async countActive(entitlementId: string): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: number }>>(
      `select count(*)::int as n from registry.assignment where entitlement_id = ? and revoked_at is null`,
      [entitlementId],
    );
    return row.n;
  }

  async insert(entitlementId: string, holder: { machineId: string | null; personId: string | null }, by: string): Promise<AssignmentRecord> {
    const [row] = await this.em.execute<AssignmentRecord[]>(
      `insert into registry.assignment as a (id, entitlement_id, machine_id, person_id, assigned_by)
       values (gen_random_uuid(), ?, ?, ?, ?) returning ${columns}`,
      [entitlementId, holder.machineId, holder.personId, by],
    );
    return row;
  }

  async insertForMachines(entitlementId: string, machineIds: readonly string[], by: string): Promise<AssignmentRecord[]> {
    if (machineIds.length === 0) return [];
    return this.em.execute<AssignmentRecord[]>(
      `insert into registry.assignment as a (id, entitlement_id, machine_id, assigned_by)
       select gen_random_uuid(), ?, m.id, ? from unnest(?::uuid[]) with ordinality as m(id, ord) order by m.ord
       returning ${columns}`,
      [entitlementId, by, sqlArray(machineIds)],
    );
  }

  /** Active machines of the subtree holding no active seat of any entitlement of `productId`, by hostname. */
  async machinesLackingProduct(rootUnitId: string, productId: string, limit: number | null): Promise<string[]> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select m.id from registry.machine m
         join registry.org_unit_closure c on c.descendant_id = m.org_unit_id and c.ancestor_id = ?
        where m.status = 'ACTIVE'
          and not exists (
            select 1 from registry.assignment a
              join registry.entitlement e on e.id = a.entitlement_id
              join registry.edition ed on ed.id = e.edition_id
             where a.machine_id = m.id and a.revoked_at is null and ed.product_id = ?)
        order by coalesce(m.hostname, ''), m.id
        ${limit === null ? '' : 'limit ?'}`,
      [rootUnitId, productId, ...(limit === null ? [] : [limit])],
    );
    return rows.map((r) => r.id);
  }

  async revoke(assignmentId: string, by: string): Promise<AssignmentRecord | null> {
    const [row] = await this.em.execute<AssignmentRecord[]>(
      `update registry.assignment a set revoked_at = now(), revoked_by = ? where a.id = ? and a.revoked_at is null returning ${columns}`,
      [by, assignmentId],
    );
    return row ?? null;
  }

  /** Revokes every active seat held by these machines or people. */
  async revokeOfHolders(machineIds: readonly string[], personIds: readonly string[], by: string): Promise<RevokedAssignment[]> {
    if (machineIds.length === 0 && personIds.length === 0) return [];
    return this.em.execute(
      `with r as (
         update registry.assignment a set revoked_at = now(), revoked_by = ?
          where a.revoked_at is null and (a.machine_id = any(?::uuid[]) or a.person_id = any(?::uuid[]))
          returning a.*)
       select ${columns}, e.org_unit_id as "ownerUnitId" from r a join registry.entitlement e on e.id = a.entitlement_id`,
      [by, sqlArray(machineIds), sqlArray(personIds)],
    );
  }

  /** Revokes the active seats of an entitlement, or only those whose holder lies outside `keepUnderUnitId`'s subtree. */
  async revokeOfEntitlement(entitlementId: string, by: string, keepUnderUnitId: string | null = null): Promise<Array<AssignmentRecord & { holderUnitId: string }>> {
    return this.em.execute(
      `with r as (
         update registry.assignment a set revoked_at = now(), revoked_by = ?
           from (select a2.id, coalesce(m.org_unit_id, p.org_unit_id) as unit_id
                   from registry.assignment a2
                   left join registry.machine m on m.id = a2.machine_id
                   left join registry.person p on p.id = a2.person_id
                  where a2.entitlement_id = ? and a2.revoked_at is null) h
          where a.id = h.id
            and (?::uuid is null or not exists (
                  select 1 from registry.org_unit_closure c where c.ancestor_id = ?::uuid and c.descendant_id = h.unit_id))
          returning a.*, h.unit_id)
       select ${columns}, a.unit_id as "holderUnitId" from r a`,
      [by, entitlementId, keepUnderUnitId, keepUnderUnitId],
    );
  }

  /** The unit of each holder (machine or person), for scope checks and change-log rows. */
  async holderUnits(machineIds: readonly string[], personIds: readonly string[]): Promise<Map<string, string>> {
    if (machineIds.length === 0 && personIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; unitId: string }>>(
      `select id, org_unit_id as "unitId" from registry.machine where id = any(?::uuid[])
       union all
       select id, org_unit_id from registry.person where id = any(?::uuid[])`,
      [sqlArray(machineIds), sqlArray(personIds)],
    );
    return new Map(rows.map((r) => [r.id, r.unitId]));
  }
}
