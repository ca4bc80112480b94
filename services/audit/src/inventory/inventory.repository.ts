import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface InstallationRecord {
  id: string;
  machineId: string;
  rawName: string;
  rawVersion: string | null;
  rawPublisher: string | null;
  editionId: string | null;
}

export interface MachineInventoryRecord {
  machineId: string;
  lastReportAt: Date;
  lastCollectedAt: Date | null;
}

/** Keyset position in a machine's installation list: raw name, then id. */
export type InstallationCursor = [string, string];

export class InventoryRepository {
  constructor(private readonly em: EntityManager) {}

  /** The first `limit` installations of each machine, by raw name, in one statement. */
  async firstInstallationsOf(machineIds: readonly string[], limit: number, after: InstallationCursor | null): Promise<InstallationRecord[]> {
    if (machineIds.length === 0) return [];
    return this.em.execute<InstallationRecord[]>(
      `select i.id, i.machine_id as "machineId", i.raw_name as "rawName", i.raw_version as "rawVersion",
              i.raw_publisher as "rawPublisher", i.edition_id as "editionId"
         from unnest(?::uuid[]) as m(id)
         cross join lateral (
           select * from audit.installation x
            where x.machine_id = m.id and (?::text is null or (x.raw_name, x.id) > (?::text, ?::bigint))
            order by x.raw_name, x.id limit ?
         ) i`,
      [sqlArray(machineIds), after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
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
    return this.em.execute<MachineInventoryRecord[]>(
      `select machine_id as "machineId", last_report_at as "lastReportAt", last_collected_at as "lastCollectedAt"
         from audit.machine_inventory where machine_id = any(?::uuid[])`,
      [sqlArray(machineIds)],
    );
  }
}
