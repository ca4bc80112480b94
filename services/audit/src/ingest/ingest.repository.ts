import { sqlArray } from '@genuine/kit';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { InventoryOutcome } from '../inventory/inventory.entity';
import { IS_EMBEDDED_DATABASE, sqlArrayNullable, toDate } from '../sql';
import type { PackedContent } from './inventory-content';

export interface MachineIdentity {
  uuid: string | null;
  serialNumber: string | null;
  hostname: string | null;
}

export interface KnownMachine {
  id: string;
  orgUnitId: string;
}

export interface MachineState {
  checksum: string;
  lastCollectedAt: Date | null;
}

/** The TAG's unit inside the token's scope, and the registry machine the identity names (if any). */
export interface ResolvedIdentity {
  unit: { id: string; code: string };
  machine: (KnownMachine & { inScope: boolean }) | null;
}

/** What a byte-identical re-send became: its own report, UNCHANGED or STALE. */
export interface ResentReport {
  reportId: string;
  machineId: string;
  orgUnitId: string;
  outcome: 'UNCHANGED' | 'STALE';
}

/** A request whose body may be a byte-identical re-send (see `recordIdenticalResends`). */
export interface IdenticalResend {
  /** `agentBodyHash` of the request. */
  bodyHash: string;
  /** The token's scope root; null for an unscoped token. */
  scopeUnitId: string | null;
  receivedAt: Date;
  actorId: string;
  requestId: string;
}

export interface ReportRow {
  machineId: string | null;
  orgUnitId: string | null;
  source: string;
  deviceId: string;
  tag: string | null;
  receivedAt: Date;
  collectedAt: Date | null;
  partial: boolean;
  checksum: string | null;
  softwareCount: number;
  outcome: InventoryOutcome;
  reason: string | null;
  actorId: string;
  requestId: string;
}

export interface AppliedState {
  machineId: string;
  source: string;
  deviceId: string;
  seenAt: Date;
  collectedAt: Date;
  checksum: string;
  operatingSystem: string | null;
  antivirus: unknown[];
  licenseKeys: unknown[];
  /** A partial inventory (GLPI) replaces only the sections it carries. */
  replaceSoftware: boolean;
  replaceOperatingSystem: boolean;
  /** sha256 of the request body as sent (see `agentBodyHash`), or null when the inventory came another way. */
  bodyHash: string | null;
}

/**
 * The ingest's writes, set-based: one statement per table per report (unnest arrays, no row-by-row loops), so a
 * 780-title inventory costs the same number of round trips as a 5-title one.
 */
export class IngestRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * The TAG's org unit inside the scope rooted at `scopeUnitId` (anywhere when null), and the registry machine a
   * report means (registry_public.machine): by uuid, then serial, then hostname within that unit, the first hit
   * winning, with whether it lies inside the scope. One statement; no row when the TAG names no unit in scope.
   */
  async resolveIdentity(scopeUnitId: string | null, tag: string, identity: MachineIdentity): Promise<ResolvedIdentity | null> {
    const [row] = await this.queryWithParameters<{ unitId: string; code: string; machineId: string | null; machineUnitId: string | null; inScope: boolean }>(
      'resolve_identity',
      `with unit as (
         select u.id, u.code from registry_public.org_unit u
          where u.code = ?::text
            and (?::uuid is null or exists (
              select 1 from registry_public.org_unit_ancestry a where a.unit_id = u.id and a.ancestor_id = ?::uuid))
       ), found as (
         select x.id, x.org_unit_id from (
           (select m.id, m.org_unit_id, 0 as rank from registry_public.machine m where m.uuid = ?::text limit 1)
           union all
           (select m.id, m.org_unit_id, 1 from registry_public.machine m where m.serial_number = ?::text limit 1)
           union all
           (select m.id, m.org_unit_id, 2 from registry_public.machine m join unit on m.org_unit_id = unit.id where m.hostname = ?::text limit 1)
         ) x order by x.rank limit 1
       )
       select unit.id as "unitId", unit.code, f.id as "machineId", f.org_unit_id as "machineUnitId",
              (f.id is not null and (?::uuid is null or exists (
                select 1 from registry_public.org_unit_ancestry a where a.unit_id = f.org_unit_id and a.ancestor_id = ?::uuid))) as "inScope"
         from unit left join found f on true`,
      [tag, scopeUnitId, scopeUnitId, identity.uuid, identity.serialNumber, identity.hostname, scopeUnitId, scopeUnitId],
    );
    if (!row) return null;
    return {
      unit: { id: row.unitId, code: row.code },
      machine: row.machineId === null || row.machineUnitId === null ? null : { id: row.machineId, orgUnitId: row.machineUnitId, inScope: row.inScope },
    };
  }

  /** Serializes reports of one machine (two agents, or a re-send racing the original). */
  async lockMachine(machineId: string): Promise<void> {
    await this.queryWithParameters('lock_machine', `select pg_advisory_xact_lock(hashtextextended('genuine:audit:machine:' || ?::text, 0))`, [machineId]);
  }

  /**
   * The machine's current state, row-locked until the transaction ends: a byte-identical re-send
   * (`recordIdenticalResend`) updates this row without the advisory lock, so the two wait for each other here.
   */
  async machineState(machineId: string): Promise<MachineState | null> {
    const [row] = await this.queryWithParameters<{ checksum: string; lastCollectedAt: Date | string | null }>(
      'machine_state',
      `select checksum, last_collected_at as "lastCollectedAt" from audit.machine_inventory where machine_id = ? for update`,
      [machineId],
    );
    return row ? { checksum: row.checksum, lastCollectedAt: toDate(row.lastCollectedAt) } : null;
  }

  /**
   * An inventory with the machine's current content: its report, and the machine was seen (nothing else
   * changes). The body, when known, becomes the one byte-identical re-sends are recognised by. One statement.
   */
  async recordUnchanged(report: ReportRow & { machineId: string }, seenAt: Date, collectedAt: Date, bodyHash: string | null): Promise<string> {
    const [row] = await this.queryWithParameters<{ id: string }>(
      'record_unchanged',
      `with report as (${INSERT_REPORT} returning id)
       update audit.machine_inventory
          set last_report_at = greatest(last_report_at, ?::timestamptz),
              last_collected_at = greatest(last_collected_at, ?::timestamptz),
              body_hash = coalesce(?::text, body_hash),
              body_report_id = case when ?::text is null then body_report_id else (select id from report) end
        where machine_id = ?
       returning (select id from report) as id`,
      [...reportValues(report), seenAt, collectedAt, bodyHash, bodyHash, report.machineId],
    );
    return row.id;
  }

  /**
   * Byte-identical re-sends of the bodies machines' current states came from, recognised by their hash before any
   * parsing, several at once (`IdenticalResendBatcher` gathers concurrent ones). Each gets its own report copying
   * the original's (source, device, TAG, collection time, checksum, counts) with the outcome the full path would
   * give — STALE when collected before the machine's current inventory, else UNCHANGED with the last-seen times
   * moved. Each is still held to its token's scope and to the registry as they are now. One statement; the result
   * is in the order of `resends`, null (nothing written) where the body is unknown, the registry or scope says
   * otherwise, or a concurrent report changed the machine's state meanwhile (the caller then takes the full path).
   * Machine rows are locked in machine id order, so batches running at once (other replicas) cannot deadlock.
   */
  async recordIdenticalResends(resends: readonly IdenticalResend[]): Promise<Array<ResentReport | null>> {
    if (resends.length === 0) return [];
    const rows = await this.queryWithParameters<{ n: string; id: string; machineId: string; orgUnitId: string; outcome: 'UNCHANGED' | 'STALE' }>(
      'record_identical_resends',
      `with input as (
         select * from unnest(?::text[], ?::uuid[], ?::timestamptz[], ?::text[], ?::text[])
           with ordinality as x(body_hash, scope_unit_id, received_at, actor_id, request_id, n)
       ), hit as (
         select x.*, mi.machine_id, mi.last_collected_at, r.id as report_id, r.org_unit_id, r.source, r.device_id, r.tag,
                r.collected_at, r.partial, r.checksum, r.software_count,
                least(coalesce(r.collected_at, x.received_at), x.received_at) as effective
           from input x
           join audit.machine_inventory mi on mi.body_hash = x.body_hash
           join audit.inventory_report r on r.id = mi.body_report_id
       ), decided as (
         select h.*, nextval(pg_get_serial_sequence('audit.inventory_report', 'id')) as new_id,
                case when h.last_collected_at is not null and h.effective < h.last_collected_at then 'STALE' else 'UNCHANGED' end as outcome
           from hit h
          where (select count(*) from hit o where o.n = h.n) = 1
            and exists (
              select 1 from registry_public.org_unit u
               where u.id = h.org_unit_id and u.code = h.tag
                 and (h.scope_unit_id is null or exists (
                   select 1 from registry_public.org_unit_ancestry a where a.unit_id = u.id and a.ancestor_id = h.scope_unit_id)))
            and exists (
              select 1 from registry_public.machine m
               where m.id = h.machine_id
                 and (h.scope_unit_id is null or exists (
                   select 1 from registry_public.org_unit_ancestry a where a.unit_id = m.org_unit_id and a.ancestor_id = h.scope_unit_id)))
       ), seen as (
         select machine_id, body_hash, report_id, max(received_at) as received_at, max(effective) as latest, min(effective) as earliest
           from decided where outcome = 'UNCHANGED' group by machine_id, body_hash, report_id
       ), locked as (
         select mi.machine_id from audit.machine_inventory mi
          where mi.machine_id in (select machine_id from seen)
          order by mi.machine_id
          for update
       ), touched as (
         update audit.machine_inventory mi
            set last_report_at = greatest(mi.last_report_at, s.received_at),
                last_collected_at = greatest(mi.last_collected_at, s.latest)
           from seen s join locked l on l.machine_id = s.machine_id
          where mi.machine_id = s.machine_id and mi.body_hash = s.body_hash and mi.body_report_id = s.report_id
            and (mi.last_collected_at is null or s.earliest >= mi.last_collected_at)
         returning mi.machine_id
       ), report as (
         insert into audit.inventory_report
           (id, machine_id, org_unit_id, source, device_id, tag, received_at, collected_at, partial, checksum, software_count, outcome, reason, actor_id, request_id)
         select d.new_id, d.machine_id, d.org_unit_id, d.source, d.device_id, d.tag, d.received_at, d.collected_at, d.partial, d.checksum,
                d.software_count, d.outcome, null, d.actor_id, d.request_id
           from decided d
          where d.outcome = 'STALE' or d.machine_id in (select machine_id from touched)
         returning id
       )
       select d.n, d.new_id as id, d.machine_id as "machineId", d.org_unit_id as "orgUnitId", d.outcome
         from decided d where d.new_id in (select id from report)`,
      [
        sqlArray(resends.map((r) => r.bodyHash)),
        sqlArrayNullable(resends.map((r) => r.scopeUnitId)),
        sqlArray(resends.map((r) => r.receivedAt.toISOString())),
        sqlArray(resends.map((r) => r.actorId.slice(0, 100))),
        sqlArray(resends.map((r) => r.requestId.slice(0, 128))),
      ],
    );
    const byIndex = new Map(rows.map((row) => [Number(row.n) - 1, row]));
    return resends.map((_, index) => {
      const row = byIndex.get(index);
      return row ? { reportId: String(row.id), machineId: row.machineId, orgUnitId: row.orgUnitId, outcome: row.outcome } : null;
    });
  }

  /**
   * An applied inventory, in one statement: makes the machine's installation set the incoming one (rows no longer
   * reported are deleted, rows still reported keep their first-seen time and move their last-seen time, new rows
   * are inserted), writes the report and the machine's new state (checksum, times, evidence, the body re-sends
   * are recognised by), and returns which of `uncertainTitleIds` are not stored yet, for the caller to store in
   * the same transaction (installations do not reference titles by foreign key: see `Installation`).
   */
  async applyInventory(
    report: ReportRow,
    state: AppliedState,
    installations: PackedContent['installations'],
    /** The incoming titles that may not be stored yet (the caller knows the others are): the only ones looked up. */
    uncertainTitleIds: readonly string[],
  ): Promise<{ reportId: string; removed: number; upserted: number; missingTitleIds: string[] }> {
    const [row] = await this.queryWithParameters<{ id: string; removed: string; upserted: string; missing: string[] }>(
      'apply_inventory',
      `with incoming as (
         select * from unnest(?::uuid[], ?::text[], ?::boolean[]) as n(title_id, arch, is_os)
       ), removed as (
         delete from audit.installation i
          where i.machine_id = ?
            and case when i.is_operating_system then ?::boolean else ?::boolean end
            and not exists (
              select 1 from incoming n where n.title_id = i.title_id and n.arch = i.arch and n.is_os = i.is_operating_system
            )
         returning 1
       ), known as (
         select exists (select 1 from audit.installation i where i.machine_id = ?) as machine
       ), inserted as (
         -- A machine's first inventory: nothing to conflict with, and a plain insert costs less than an upsert.
         insert into audit.installation (machine_id, title_id, arch, is_operating_system, first_seen_at, last_seen_at)
         select ?, n.title_id, n.arch, n.is_os, ?, ? from incoming n where not (select machine from known)
         returning 1
       ), upserted as (
         insert into audit.installation (machine_id, title_id, arch, is_operating_system, first_seen_at, last_seen_at)
         select ?, n.title_id, n.arch, n.is_os, ?, ? from incoming n where (select machine from known)
         on conflict (machine_id, title_id, arch, is_operating_system) do update set last_seen_at = excluded.last_seen_at
         returning 1
       ), report as (${INSERT_REPORT} returning id
       ), state as (
         insert into audit.machine_inventory as mi
           (machine_id, source, device_id, last_report_at, last_applied_at, last_collected_at, checksum, operating_system, antivirus, license_keys, body_hash, body_report_id)
         select ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, case when ?::text is null then null else (select id from report) end
         on conflict (machine_id) do update set
           source = excluded.source,
           device_id = excluded.device_id,
           last_report_at = greatest(mi.last_report_at, excluded.last_report_at),
           last_applied_at = excluded.last_applied_at,
           last_collected_at = excluded.last_collected_at,
           checksum = excluded.checksum,
           operating_system = case when ?::boolean then excluded.operating_system else mi.operating_system end,
           antivirus = case when ?::boolean then excluded.antivirus else mi.antivirus end,
           license_keys = case when ?::boolean then excluded.license_keys else mi.license_keys end,
           body_hash = excluded.body_hash,
           body_report_id = excluded.body_report_id
         returning 1
       )
       select (select id from report) as id, (select count(*) from removed) as removed,
              (select count(*) from inserted) + (select count(*) from upserted) as upserted,
              array(select c.id::text from unnest(?::uuid[]) as c(id) where not exists (select 1 from audit.software_title t where t.id = c.id)) as missing`,
      [
        installations.titleIds,
        installations.arches,
        installations.osFlags,
        state.machineId,
        state.replaceOperatingSystem,
        state.replaceSoftware,
        state.machineId,
        state.machineId,
        state.collectedAt,
        state.collectedAt,
        state.machineId,
        state.collectedAt,
        state.collectedAt,
        ...reportValues(report),
        state.machineId,
        state.source,
        state.deviceId,
        state.seenAt,
        state.seenAt,
        state.collectedAt,
        state.checksum,
        state.operatingSystem,
        JSON.stringify(state.antivirus),
        JSON.stringify(state.licenseKeys),
        state.bodyHash,
        state.bodyHash,
        state.replaceOperatingSystem,
        state.replaceSoftware || state.antivirus.length > 0,
        state.replaceSoftware || state.licenseKeys.length > 0,
        `{${uncertainTitleIds.join(',')}}`,
      ],
    );
    return { reportId: String(row.id), removed: Number(row.removed), upserted: Number(row.upserted), missingTitleIds: row.missing };
  }

  /**
   * Runs one of the ingest's statements, in the entity manager's transaction if it has one, as a prepared statement
   * named `genuine_ingest_<name>` on a PostgreSQL server: every report runs the same few statements, and prepared,
   * each connection parses and plans them once instead of once per report (planning was nearly a quarter of the
   * database's work per inventory). Parameters travel apart from the text: `execute` would inline them as quoted
   * literals, escaped one character at a time, which for an inventory's hundreds of title ids cost more than the
   * statement.
   */
  private async queryWithParameters<T>(name: string, sql: string, params: readonly unknown[]): Promise<T[]> {
    const knex = this.em.getTransactionContext<Knex.Transaction>() ?? this.em.getKnex();
    const query = knex.raw(sql, params as Knex.RawBinding[]);
    // knex hands `options` to node-postgres with the query: a `name` makes it a named prepared statement.
    if (await preparesStatements(this.em.config, knex)) query.options({ name: `genuine_ingest_${name}` });
    const result = (await query) as { rows: T[] };
    return result.rows;
  }

  async insertReport(report: ReportRow): Promise<string> {
    const [row] = await this.queryWithParameters<{ id: string }>('insert_report', `${INSERT_REPORT} returning id`, reportValues(report));
    return row.id;
  }
}

/** Per ORM (forks share its configuration): whether its connections may prepare named statements. */
const preparing = new WeakMap<object, Promise<boolean>>();

/**
 * False on the embedded database: pglite-socket serves every pooled connection from PGlite's one session, where
 * two connections preparing the same name collide. Asked once per ORM, on the connection at hand (a transaction's
 * own, so a one-connection pool cannot wait for itself).
 */
function preparesStatements(config: object, knex: Knex): Promise<boolean> {
  let answer = preparing.get(config);
  if (answer === undefined) {
    answer = (knex.raw(`select ${IS_EMBEDDED_DATABASE} as embedded`) as unknown as Promise<{ rows: Array<{ embedded: boolean }> }>).then((r) => r.rows[0]?.embedded === false);
    preparing.set(config, answer);
    // A failed question (the connection broke) is asked again by the next statement.
    answer.catch(() => preparing.delete(config));
  }
  return answer;
}

const INSERT_REPORT = `insert into audit.inventory_report
  (machine_id, org_unit_id, source, device_id, tag, received_at, collected_at, partial, checksum, software_count, outcome, reason, actor_id, request_id)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function reportValues(report: ReportRow): unknown[] {
  return [
    report.machineId,
    report.orgUnitId,
    report.source,
    report.deviceId.slice(0, 255),
    report.tag?.slice(0, 255) ?? null,
    report.receivedAt,
    report.collectedAt,
    report.partial,
    report.checksum,
    report.softwareCount,
    report.outcome,
    report.reason?.slice(0, 500) ?? null,
    report.actorId.slice(0, 100),
    report.requestId.slice(0, 128),
  ];
}
