import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlArray, type Role } from '@genuine/kit';
import { isoTime } from '../sql';

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  scopeUnitId: string | null;
  scopeUnitCode: string | null;
  createdBy: string;
  createdAt: string;
  expiresOn: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const columns = `t.id, t.name, t.role, t.scope_unit_id as "scopeUnitId", u.code as "scopeUnitCode", t.created_by as "createdBy",
  ${isoTime('t.created_at')} as "createdAt", to_char(t.expires_on, 'YYYY-MM-DD') as "expiresOn",
  ${isoTime('t.revoked_at')} as "revokedAt", ${isoTime('t.last_used_at')} as "lastUsedAt"`;

export class ApiTokenRepository {
  constructor(private readonly em: EntityManager) {}

  async findByIds(ids: readonly string[]): Promise<ApiTokenRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute<ApiTokenRecord[]>(
      `select ${columns} from registry.api_token t left join registry.org_unit u on u.id = t.scope_unit_id where t.id = any(?::uuid[])`,
      [sqlArray(ids)],
    );
  }

  /** Tokens whose scope lies inside `scopeUnitId`'s subtree (all tokens when null), newest first. */
  async list(scopeUnitId: string | null, after: [string, string] | null, limit: number): Promise<ApiTokenRecord[]> {
    return this.em.execute<ApiTokenRecord[]>(
      `select ${columns} from registry.api_token t left join registry.org_unit u on u.id = t.scope_unit_id
        where (?::uuid is null or t.scope_unit_id in (select descendant_id from registry.org_unit_closure where ancestor_id = ?::uuid))
          and (?::timestamptz is null or (t.created_at, t.id) < (?::timestamptz, ?::uuid))
        order by t.created_at desc, t.id desc limit ?`,
      [scopeUnitId, scopeUnitId, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  async count(scopeUnitId: string | null): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: string }>>(
      `select count(*) as n from registry.api_token t
        where ?::uuid is null or t.scope_unit_id in (select descendant_id from registry.org_unit_closure where ancestor_id = ?::uuid)`,
      [scopeUnitId, scopeUnitId],
    );
    return Number(row.n);
  }
}
