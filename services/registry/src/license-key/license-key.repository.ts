import { isoTime } from '../sql';
import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface LicenseKeyRecord {
  id: string;
  entitlementId: string;
  masked: string;
  createdBy: string;
  createdAt: string;
}

const columns = `k.id, k.entitlement_id as "entitlementId", k.masked, k.created_by as "createdBy", ${isoTime('k.created_at')} as "createdAt"`;

/** License keys. The sealed key is read only by `findSealed`, never with the other columns. */
export class LicenseKeyRepository {
  constructor(private readonly em: EntityManager) {}

  async pageOfEntitlements(entitlementIds: readonly string[], after: [string, string] | null, limit: number): Promise<LicenseKeyRecord[]> {
    if (entitlementIds.length === 0) return [];
    return this.em.execute(
      `select ${columns} from unnest(?::uuid[]) as q(id)
         cross join lateral (
           select * from registry.license_key x where x.entitlement_id = q.id
             ${after ? 'and (x.created_at, x.id) > (?::timestamptz, ?::uuid)' : ''}
            order by x.created_at, x.id limit ?) k`,
      [sqlArray(entitlementIds), ...(after ?? []), limit],
    );
  }

  async countOfEntitlements(entitlementIds: readonly string[]): Promise<Map<string, number>> {
    if (entitlementIds.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; n: number }>>(
      `select entitlement_id as id, count(*)::int as n from registry.license_key where entitlement_id = any(?::uuid[]) group by entitlement_id`,
      [sqlArray(entitlementIds)],
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  async findSealed(ids: readonly string[]): Promise<Array<{ id: string; sealed: Buffer }>> {
    if (ids.length === 0) return [];
    return this.em.execute(`select id, sealed from registry.license_key where id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async insertMany(rows: ReadonlyArray<{ id: string; entitlementId: string; sealed: Buffer; fingerprint: Buffer; masked: string }>, by: string): Promise<LicenseKeyRecord[]> {
    return this.em.execute(
      `insert into registry.license_key as k (id, entitlement_id, sealed, fingerprint, masked, created_by)
       select x.id, x.entitlement_id, decode(x.sealed, 'base64'), decode(x.fingerprint, 'base64'), x.masked, ?
         from jsonb_to_recordset(?::jsonb) as x(ord int, id uuid, entitlement_id uuid, sealed text, fingerprint text, masked text)
        order by x.ord
       returning ${columns}`,
      [
        by,
        JSON.stringify(
          rows.map((r, ord) => ({ ord, id: r.id, entitlement_id: r.entitlementId, sealed: r.sealed.toString('base64'), fingerprint: r.fingerprint.toString('base64'), masked: r.masked })),
        ),
      ],
    );
  }
}
