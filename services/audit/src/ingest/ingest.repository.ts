import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { InventoryOutcome } from '../inventory/inventory.entity';
import { toDate } from '../sql';
import type { InstallationRow } from './inventory-content';

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
}

/**
 * The ingest's writes, set-based: one statement per table per report (unnest arrays, no row-by-row loops), so a
 * 780-title inventory costs the same number of round trips as a 5-title one.
 */
export class IngestRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * The registry machine a report means (registry_public.machine): by uuid, then serial, then hostname within
   * the unit. Three index lookups, the first hit wins.
   */
  async findMachine(identity: MachineIdentity, orgUnitId: string): Promise<KnownMachine | null> {
    const [row] = await this.em.execute<Array<KnownMachine & { rank: number }>>(
      `select x.id, x."orgUnitId", x.rank from (
         (select m.id, m.org_unit_id as "orgUnitId", 0 as rank from registry_public.machine m where m.uuid = ?::text limit 1)
         union all
         (select m.id, m.org_unit_id, 1 from registry_public.machine m where m.serial_number = ?::text limit 1)
         union all
         (select m.id, m.org_unit_id, 2 from registry_public.machine m where m.org_unit_id = ?::uuid and m.hostname = ?::text limit 1)
       ) x order by x.rank limit 1`,
      [identity.uuid, identity.serialNumber, orgUnitId, identity.hostname],
    );
    return row ? { id: row.id, orgUnitId: row.orgUnitId } : null;
  }

  /** Serializes reports of one machine (two agents, or a re-send racing the original). */
  async lockMachine(machineId: string): Promise<void> {
    await this.em.execute(`select pg_advisory_xact_lock(hashtextextended('genuine:audit:machine:' || ?::text, 0))`, [machineId]);
  }

  async machineState(machineId: string): Promise<MachineState | null> {
    const [row] = await this.em.execute<Array<{ checksum: string; lastCollectedAt: string | null }>>(
      `select checksum, last_collected_at as "lastCollectedAt" from audit.machine_inventory where machine_id = ?`,
      [machineId],
    );
    return row ? { checksum: row.checksum, lastCollectedAt: toDate(row.lastCollectedAt) } : null;
  }

  /** An identical re-send: the machine was seen, nothing else changes. */
  async touchMachine(machineId: string, seenAt: Date, collectedAt: Date): Promise<void> {
    await this.em.execute(
      `update audit.machine_inventory
          set last_report_at = greatest(last_report_at, ?::timestamptz),
              last_collected_at = greatest(last_collected_at, ?::timestamptz)
        where machine_id = ?`,
      [seenAt, collectedAt, machineId],
    );
  }

  /**
   * Makes the machine's installation set the incoming one: rows no longer reported are deleted, rows still
   * reported keep their first-seen time and move their last-seen time, new rows are inserted. One statement.
   */
  async replaceInstallations(
    machineId: string,
    installations: readonly InstallationRow[],
    seenAt: Date,
    replace: { software: boolean; operatingSystem: boolean },
  ): Promise<{ removed: number; upserted: number }> {
    const [row] = await this.em.execute<Array<{ removed: string; upserted: string }>>(
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
       ), upserted as (
         insert into audit.installation (machine_id, title_id, arch, is_operating_system, first_seen_at, last_seen_at)
         select ?, n.title_id, n.arch, n.is_os, ?, ? from incoming n
         on conflict (machine_id, title_id, arch, is_operating_system) do update set last_seen_at = excluded.last_seen_at
         returning 1
       )
       select (select count(*) from removed) as removed, (select count(*) from upserted) as upserted`,
      [
        sqlArray(installations.map((i) => i.titleId)),
        sqlArray(installations.map((i) => i.arch)),
        sqlArray(installations.map((i) => String(i.isOperatingSystem))),
        machineId,
        replace.operatingSystem,
        replace.software,
        machineId,
        seenAt,
        seenAt,
      ],
    );
    return { removed: Number(row.removed), upserted: Number(row.upserted) };
  }

  async saveMachineState(state: AppliedState): Promise<void> {
    await this.em.execute(
      `insert into audit.machine_inventory as mi
         (machine_id, source, device_id, last_report_at, last_applied_at, last_collected_at, checksum, operating_system, antivirus, license_keys)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
       on conflict (machine_id) do update set
         source = excluded.source,
         device_id = excluded.device_id,
         last_report_at = greatest(mi.last_report_at, excluded.last_report_at),
         last_applied_at = excluded.last_applied_at,
         last_collected_at = excluded.last_collected_at,
         checksum = excluded.checksum,
         operating_system = case when ?::boolean then excluded.operating_system else mi.operating_system end,
         antivirus = case when ?::boolean then excluded.antivirus else mi.antivirus end,
         license_keys = case when ?::boolean then excluded.license_keys else mi.license_keys end`,
      [
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
        state.replaceOperatingSystem,
        state.replaceSoftware || state.antivirus.length > 0,
        state.replaceSoftware || state.licenseKeys.length > 0,
      ],
    );
  }

  async insertReport(report: ReportRow): Promise<string> {
    const [row] = await this.em.execute<Array<{ id: string }>>(
      `insert into audit.inventory_report
         (machine_id, org_unit_id, source, device_id, tag, received_at, collected_at, partial, checksum, software_count, outcome, reason, actor_id, request_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [
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
      ],
    );
    return row.id;
  }
}
