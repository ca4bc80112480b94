import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MachineKind } from '@genuine/kit';
import type { MachineStatus } from './machine.entity';

export interface MachineRecord {
  id: string;
  orgUnitId: string;
  assetTag: string | null;
  hostname: string | null;
  serialNumber: string | null;
  uuid: string | null;
  kind: MachineKind;
  operator: string | null;
  status: MachineStatus;
}

export interface MachineIdentity {
  orgUnitId: string;
  uuid?: string | null;
  serialNumber?: string | null;
  hostname?: string | null;
}

/** Keyset position in the default machine order: hostname (nulls as ''), then id. */
export type MachineCursor = [string, string];

export interface MachineListQuery {
  /** Root of the units to list; null lists everything. */
  rootUnitId: string | null;
  includeDescendants: boolean;
  search: string | null;
  after: MachineCursor | null;
  limit: number;
}

const columns = `m.id, m.org_unit_id as "orgUnitId", m.asset_tag as "assetTag", m.hostname, m.serial_number as "serialNumber",
  m.uuid, m.kind, m.operator, m.status`;

function listWhere(q: Omit<MachineListQuery, 'after' | 'limit'>): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.rootUnitId !== null) {
    if (q.includeDescendants) {
      clauses.push(`m.org_unit_id in (select descendant_id from registry.org_unit_closure where ancestor_id = ?)`);
    } else {
      clauses.push(`m.org_unit_id = ?`);
    }
    params.push(q.rootUnitId);
  }
  if (q.search) {
    clauses.push(`(m.hostname ilike ? or m.serial_number ilike ? or m.asset_tag ilike ? or m.uuid ilike ?)`);
    const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(pattern, pattern, pattern, pattern);
  }
  return { sql: clauses.length ? clauses.join(' and ') : 'true', params };
}

/** Read and identity queries over machines; array-in methods for loaders. */
export class MachineRepository {
  constructor(private readonly em: EntityManager) {}

  async findByIds(ids: readonly string[]): Promise<MachineRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute<MachineRecord[]>(`select ${columns} from registry.machine m where m.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async list(q: MachineListQuery): Promise<MachineRecord[]> {
    const where = listWhere(q);
    const keyset = q.after ? `and (coalesce(m.hostname, ''), m.id) > (?, ?::uuid)` : '';
    return this.em.execute<MachineRecord[]>(
      `select ${columns} from registry.machine m where ${where.sql} ${keyset}
        order by coalesce(m.hostname, ''), m.id limit ?`,
      [...where.params, ...(q.after ?? []), q.limit],
    );
  }

  async count(q: Omit<MachineListQuery, 'after' | 'limit'>): Promise<number> {
    const where = listWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from registry.machine m where ${where.sql}`, where.params);
    return Number(row.n);
  }

  /** The first `limit` machines of each unit (the unit itself only), in the default order, in one statement. */
  async firstOfUnits(unitIds: readonly string[], limit: number): Promise<MachineRecord[]> {
    if (unitIds.length === 0) return [];
    return this.em.execute<MachineRecord[]>(
      `select ${columns} from unnest(?::uuid[]) as u(id)
         cross join lateral (
           select * from registry.machine x where x.org_unit_id = u.id
            order by coalesce(x.hostname, ''), x.id limit ?
         ) m`,
      [sqlArray(unitIds), limit],
    );
  }

  async countOfUnits(unitIds: readonly string[]): Promise<Map<string, number>> {
    if (unitIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; n: string }>>(
      `select org_unit_id as id, count(*) as n from registry.machine where org_unit_id = any(?::uuid[]) group by org_unit_id`,
      [sqlArray(unitIds)],
    );
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  /** The machine a report or a registration means: by uuid, then serial, then hostname within the unit. */
  async findByIdentity(identity: MachineIdentity): Promise<MachineRecord | null> {
    const [row] = await this.em.execute<MachineRecord[]>(
      `select ${columns} from registry.machine m
        where (?::text is not null and m.uuid = ?)
           or (?::text is not null and m.serial_number = ?)
           or (?::text is not null and m.org_unit_id = ? and m.hostname = ?)
        order by case when m.uuid = ? then 0 when m.serial_number = ? then 1 else 2 end
        limit 1`,
      [
        identity.uuid ?? null,
        identity.uuid ?? null,
        identity.serialNumber ?? null,
        identity.serialNumber ?? null,
        identity.hostname ?? null,
        identity.orgUnitId,
        identity.hostname ?? null,
        identity.uuid ?? null,
        identity.serialNumber ?? null,
      ],
    );
    return row ?? null;
  }
}
