import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Scope checks against the registry's published tree (`registry_public`), the only registry data the audit
 * service may read. Set-based: one statement per batch of machines or units.
 */
export class ScopeRepository {
  constructor(private readonly em: EntityManager) {}

  /** Of `machineIds`, those registered inside the subtree rooted at `scopeUnitId` (all known ones when null). */
  async machinesInScope(scopeUnitId: string | null, machineIds: readonly string[]): Promise<Set<string>> {
    if (machineIds.length === 0) return new Set();
    const rows = await this.em.execute<Array<{ id: string }>>(
      scopeUnitId === null
        ? `select m.id from registry_public.machine m where m.id = any(?::uuid[])`
        : `select m.id from registry_public.machine m
             join registry_public.org_unit_ancestry a on a.unit_id = m.org_unit_id and a.ancestor_id = ?
            where m.id = any(?::uuid[])`,
      scopeUnitId === null ? [sqlArray(machineIds)] : [scopeUnitId, sqlArray(machineIds)],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The unit with `code` when it lies inside the subtree rooted at `scopeUnitId` (anywhere when null). */
  async unitByCode(scopeUnitId: string | null, code: string): Promise<{ id: string; code: string } | null> {
    const [row] = await this.em.execute<Array<{ id: string; code: string }>>(
      scopeUnitId === null
        ? `select u.id, u.code from registry_public.org_unit u where u.code = ?`
        : `select u.id, u.code from registry_public.org_unit u
             join registry_public.org_unit_ancestry a on a.unit_id = u.id and a.ancestor_id = ?
            where u.code = ?`,
      scopeUnitId === null ? [code] : [scopeUnitId, code],
    );
    return row ?? null;
  }
}
