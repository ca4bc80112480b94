import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toDate } from '../sql';
import type { InventoryOutcome } from './inventory.entity';

export interface InstallationRecord {
  /** The installation's key within its machine (`installationKey`): what its cursor carries after the raw name. */
  id: string;
  machineId: string;
  rawName: string;
  rawVersion: string | null;
  rawPublisher: string | null;
  arch: string;
  isOperatingSystem: boolean;
  editionId: string | null;
  ignored: boolean;
  recognized: boolean;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface AntivirusEvidence {
  name: string;
  version: string | null;
  publisher: string | null;
  enabled: boolean | null;
  upToDate: boolean | null;
}

export interface LicenseKeyEvidence {
  name: string;
  productId: string | null;
  keyMasked: string | null;
}

export interface MachineInventoryRecord {
  machineId: string;
  source: string;
  deviceId: string;
  lastReportAt: Date;
  lastAppliedAt: Date;
  lastCollectedAt: Date | null;
  operatingSystem: string | null;
  antivirus: AntivirusEvidence[];
  licenseKeys: LicenseKeyEvidence[];
}

export interface InventoryReportRecord {
  id: string;
  machineId: string;
  source: string;
  deviceId: string;
  tag: string | null;
  receivedAt: Date;
  collectedAt: Date | null;
  partial: boolean;
  softwareCount: number;
  outcome: InventoryOutcome;
  reason: string | null;
}

export interface StaleMachineRecord {
  id: string;
  lastReportAt: Date | null;
  /** Keyset value: the epoch of the last report, -1 for never. */
  sortKey: string;
}

/** Keyset position in a machine's installation list, as its cursor carries it: raw name, then `installationKey`. */
export type InstallationCursor = [string, string];
/** The same position, parsed: raw name, then the installation's primary-key columns (its machine's aside). */
export interface InstallationPosition {
  rawName: string;
  titleId: string;
  isOperatingSystem: boolean;
  arch: string;
}

/** An installation's key within its machine as one string; the arch, which may hold any character, comes last. */
export function installationKey(titleId: string, isOperatingSystem: boolean, arch: string): string {
  return `${titleId}:${isOperatingSystem ? 1 : 0}:${arch}`;
}

/** Reads a decoded cursor back into a position; null when it is not one this list wrote. */
export function installationPosition(cursor: unknown): InstallationPosition | null {
  if (!Array.isArray(cursor) || cursor.length !== 2) return null;
  const [rawName, key] = cursor as unknown[];
  if (typeof rawName !== 'string' || typeof key !== 'string') return null;
  const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([01]):(.*)$/s.exec(key);
  if (match === null) return null;
  return { rawName, titleId: match[1], isOperatingSystem: match[2] === '1', arch: match[3] };
}
/** Keyset position in a machine's reports, newest first: report id (ids grow with arrival). */
export type ReportCursor = [string];
/** Keyset position in the stale-machine list: epoch of the last report (-1 for never), then machine id. */
export type StaleMachineCursor = [string, string];

export interface StaleMachineQuery {
  rootUnitId: string | null;
  seenBefore: Date;
  includeNeverSeen: boolean;
}

const installationColumns = `i.title_id as "titleId", i.machine_id as "machineId", t.name as "rawName", t.version as "rawVersion",
  t.publisher as "rawPublisher", i.arch, i.is_operating_system as "isOperatingSystem", t.edition_id as "editionId",
  t.ignored, t.rule_id is not null as recognized, i.first_seen_at as "firstSeenAt", i.last_seen_at as "lastSeenAt"`;

function staleWhere(q: StaleMachineQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  let scope = '';
  if (q.rootUnitId !== null) {
    scope = `join registry_public.org_unit_ancestry a on a.unit_id = m.org_unit_id and a.ancestor_id = ?`;
    params.push(q.rootUnitId);
  }
  params.push(q.seenBefore, q.includeNeverSeen);
  return {
    sql: `from registry_public.machine m ${scope}
          left join audit.machine_inventory mi on mi.machine_id = m.id
         where m.status = 'ACTIVE'
           and (mi.last_report_at < ?::timestamptz or (mi.machine_id is null and ?::boolean))`,
    params,
  };
}

/** Reads of what inventories say about machines; array-in methods for the loaders. */
export class InventoryRepository {
  constructor(private readonly em: EntityManager) {}

  /** The first `limit` installations of each machine, by raw name (then key), in one statement. */
  async firstInstallationsOf(machineIds: readonly string[], limit: number, after: InstallationPosition | null): Promise<InstallationRecord[]> {
    if (machineIds.length === 0) return [];
    const rows = await this.em.execute<Array<Omit<InstallationRecord, 'id'> & { titleId: string; firstSeenAt: string; lastSeenAt: string }>>(
      `select x.* from unnest(?::uuid[]) as m(id)
         cross join lateral (
           select ${installationColumns}
             from audit.installation i join audit.software_title t on t.id = i.title_id
            where i.machine_id = m.id
              and (?::text is null or (t.name, i.title_id, i.is_operating_system, i.arch) > (?::text, ?::uuid, ?::boolean, ?::text))
            order by t.name, i.title_id, i.is_operating_system, i.arch limit ?
         ) x`,
      [sqlArray(machineIds), after?.rawName ?? null, after?.rawName ?? null, after?.titleId ?? null, after?.isOperatingSystem ?? null, after?.arch ?? null, limit],
    );
    return rows.map(({ titleId, ...r }) => ({
      ...r,
      id: installationKey(titleId, r.isOperatingSystem, r.arch),
      firstSeenAt: toDate(r.firstSeenAt) ?? new Date(0),
      lastSeenAt: toDate(r.lastSeenAt) ?? new Date(0),
    }));
  }

  async countInstallationsOf(machineIds: readonly string[]): Promise<Map<string, number>> {
    if (machineIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; n: string }>>(
      `select machine_id as id, count(*) as n from audit.installation where machine_id = any(?::uuid[]) group by machine_id`,
      [sqlArray(machineIds)],
    );
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  async inventoriesOf(machineIds: readonly string[]): Promise<MachineInventoryRecord[]> {
    if (machineIds.length === 0) return [];
    const rows = await this.em.execute<Array<Omit<MachineInventoryRecord, 'lastReportAt' | 'lastAppliedAt' | 'lastCollectedAt'> & Record<'lastReportAt' | 'lastAppliedAt' | 'lastCollectedAt', string | null>>>(
      `select machine_id as "machineId", source, device_id as "deviceId", last_report_at as "lastReportAt",
              last_applied_at as "lastAppliedAt", last_collected_at as "lastCollectedAt", operating_system as "operatingSystem",
              antivirus, license_keys as "licenseKeys"
         from audit.machine_inventory where machine_id = any(?::uuid[])`,
      [sqlArray(machineIds)],
    );
    return rows.map((r) => ({
      ...r,
      lastReportAt: toDate(r.lastReportAt) ?? new Date(0),
      lastAppliedAt: toDate(r.lastAppliedAt) ?? new Date(0),
      lastCollectedAt: toDate(r.lastCollectedAt),
    }));
  }

  /** The newest `limit` reports of each machine, in one statement. */
  async latestReportsOf(machineIds: readonly string[], limit: number, after: ReportCursor | null): Promise<InventoryReportRecord[]> {
    if (machineIds.length === 0) return [];
    const rows = await this.em.execute<Array<Omit<InventoryReportRecord, 'receivedAt' | 'collectedAt'> & { receivedAt: string; collectedAt: string | null }>>(
      `select x.* from unnest(?::uuid[]) as m(id)
         cross join lateral (
           select r.id, r.machine_id as "machineId", r.source, r.device_id as "deviceId", r.tag, r.received_at as "receivedAt",
                  r.collected_at as "collectedAt", r.partial, r.software_count as "softwareCount", r.outcome, r.reason
             from audit.inventory_report r
            where r.machine_id = m.id and (?::bigint is null or r.id < ?::bigint)
            order by r.id desc limit ?
         ) x`,
      [sqlArray(machineIds), after?.[0] ?? null, after?.[0] ?? null, limit],
    );
    return rows.map((r) => ({
      ...r,
      id: String(r.id),
      softwareCount: Number(r.softwareCount),
      receivedAt: toDate(r.receivedAt) ?? new Date(0),
      collectedAt: toDate(r.collectedAt),
    }));
  }

  async countReportsOf(machineIds: readonly string[]): Promise<Map<string, number>> {
    if (machineIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; n: string }>>(
      `select machine_id as id, count(*) as n from audit.inventory_report where machine_id = any(?::uuid[]) group by machine_id`,
      [sqlArray(machineIds)],
    );
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  /**
   * Active registry machines of a subtree whose last inventory arrived before `seenBefore` (and, optionally, those
   * that never sent one), longest silent first.
   */
  async staleMachines(q: StaleMachineQuery & { after: StaleMachineCursor | null; limit: number }): Promise<StaleMachineRecord[]> {
    const where = staleWhere(q);
    const sortKey = `coalesce(extract(epoch from mi.last_report_at), -1)`;
    const rows = await this.em.execute<Array<StaleMachineRecord & { lastReportAt: string | null }>>(
      `select m.id, mi.last_report_at as "lastReportAt", ${sortKey}::text as "sortKey"
         ${where.sql}
          and (?::numeric is null or (${sortKey}, m.id) > (?::numeric, ?::uuid))
        order by ${sortKey}, m.id limit ?`,
      [...where.params, q.after?.[0] ?? null, q.after?.[0] ?? null, q.after?.[1] ?? null, q.limit],
    );
    return rows.map((r) => ({ ...r, lastReportAt: toDate(r.lastReportAt) }));
  }

  async countStaleMachines(q: StaleMachineQuery): Promise<number> {
    const where = staleWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n ${where.sql}`, where.params);
    return Number(row.n);
  }
}
