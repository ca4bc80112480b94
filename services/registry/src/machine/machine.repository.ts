import { isoTime } from '../sql';
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
  operatorPersonId: string | null;
  status: MachineStatus;
  retiredAt: string | null;
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
  m.uuid, m.kind, m.operator, m.operator_person_id as "operatorPersonId", m.status, ${isoTime('m.retired_at')} as "retiredAt"`;

/** One machine of a batch registration, `ord` its position in the batch. */
export interface MachineBatchRow {
  ord: number;
  orgUnitId: string;
  uuid: string | null;
  serialNumber: string | null;
  hostname: string | null;
  kind: MachineKind;
  operator: string | null;
  assetTag: string | null;
}

const batchRecordset = `jsonb_to_recordset(?::jsonb) as x(ord int, id uuid, org_unit_id uuid, uuid text, serial_number text, hostname text, kind text, operator text, asset_tag text)`;

function batchPayload(rows: ReadonlyArray<MachineBatchRow & { id?: string }>): string {
  return JSON.stringify(
    rows.map((r) => ({
      ord: r.ord,
      id: r.id ?? null,
      org_unit_id: r.orgUnitId,
      uuid: r.uuid,
      serial_number: r.serialNumber,
      hostname: r.hostname,
      kind: r.kind,
      operator: r.operator,
      asset_tag: r.assetTag,
    })),
  );
}

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

  async findByOperators(personIds: readonly string[]): Promise<MachineRecord[]> {
    if (personIds.length === 0) return [];
    return this.em.execute<MachineRecord[]>(
      `select ${columns} from registry.machine m where m.operator_person_id = any(?::uuid[]) order by coalesce(m.hostname, ''), m.id`,
      [sqlArray(personIds)],
    );
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

  /**
   * For each row of a batch, the machine it means (by uuid, then serial, then hostname within the unit), in one
   * statement; rows that match nothing are absent from the result.
   */
  async matchBatch(rows: readonly MachineBatchRow[]): Promise<Map<number, MachineRecord>> {
    if (rows.length === 0) return new Map();
    const found = await this.em.execute<Array<MachineRecord & { ord: number }>>(
      `select x.ord, ${columns} from ${batchRecordset}
         cross join lateral (
           select * from registry.machine c
            where (x.uuid is not null and c.uuid = x.uuid)
               or (x.serial_number is not null and c.serial_number = x.serial_number)
               or (x.hostname is not null and c.org_unit_id = x.org_unit_id and c.hostname = x.hostname)
            order by case when c.uuid = x.uuid then 0 when c.serial_number = x.serial_number then 1 else 2 end
            limit 1
         ) m`,
      [batchPayload(rows)],
    );
    return new Map(found.map(({ ord, ...record }) => [ord, record]));
  }

  /**
   * Inserts the rows in one statement; a row whose identity another machine (committed meanwhile, or earlier in
   * this batch) already holds is skipped rather than failing. Returns the ids it inserted.
   */
  async insertBatch(rows: ReadonlyArray<MachineBatchRow & { id: string }>): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = await this.em.execute<Array<{ id: string }>>(
      `insert into registry.machine (id, org_unit_id, uuid, serial_number, hostname, kind, operator, asset_tag)
       select x.id, x.org_unit_id, x.uuid, x.serial_number, x.hostname, x.kind::registry.machine_kind, x.operator, x.asset_tag
         from ${batchRecordset}
        order by x.uuid nulls last, x.serial_number nulls last, x.org_unit_id, x.hostname, x.ord
       on conflict do nothing
       returning id`,
      [batchPayload(rows)],
    );
    return new Set(inserted.map((r) => r.id));
  }

  /**
   * Fills identifiers, operator and asset tag a known machine lacks, one row per machine id, skipping a value
   * another machine already holds. Returns the ids it changed.
   */
  async fillBatch(rows: ReadonlyArray<MachineBatchRow & { id: string }>): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const changed = await this.em.execute<Array<{ id: string }>>(
      `update registry.machine m set
         uuid = case when m.uuid is null and x.uuid is not null
                      and not exists (select 1 from registry.machine o where o.uuid = x.uuid) then x.uuid else m.uuid end,
         serial_number = case when m.serial_number is null and x.serial_number is not null
                      and not exists (select 1 from registry.machine o where o.serial_number = x.serial_number) then x.serial_number else m.serial_number end,
         hostname = case when m.hostname is null and x.hostname is not null
                      and not exists (select 1 from registry.machine o where o.org_unit_id = m.org_unit_id and o.hostname = x.hostname) then x.hostname else m.hostname end,
         operator = coalesce(m.operator, x.operator),
         asset_tag = coalesce(m.asset_tag, x.asset_tag),
         updated_at = now()
        from ${batchRecordset}
       where m.id = x.id
         and ((m.uuid is null and x.uuid is not null) or (m.serial_number is null and x.serial_number is not null)
           or (m.hostname is null and x.hostname is not null) or (m.operator is null and x.operator is not null)
           or (m.asset_tag is null and x.asset_tag is not null))
       returning m.id`,
      [batchPayload(rows)],
    );
    return new Set(changed.map((r) => r.id));
  }

  /**
   * Links machines whose operator names a person of their unit, creating the missing people (a person is
   * identified by name within a unit). Set-based: two statements whatever the number of machines.
   */
  async linkOperators(machineIds: readonly string[]): Promise<void> {
    if (machineIds.length === 0) return;
    await this.em.execute(
      `insert into registry.person (id, org_unit_id, name)
       select gen_random_uuid(), t.org_unit_id, t.operator
         from (select distinct org_unit_id, operator from registry.machine
                where id = any(?::uuid[]) and operator is not null and operator_person_id is null) t
       order by t.org_unit_id, t.operator
       on conflict (org_unit_id, name) do nothing`,
      [sqlArray(machineIds)],
    );
    await this.em.execute(
      `update registry.machine m set operator_person_id = p.id
         from registry.person p
        where m.id = any(?::uuid[]) and m.operator is not null and m.operator_person_id is null
          and p.org_unit_id = m.org_unit_id and p.name = m.operator`,
      [sqlArray(machineIds)],
    );
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
