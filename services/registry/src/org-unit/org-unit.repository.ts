import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrgUnitKind } from './org-unit.entity';

export interface OrgUnitRecord {
  id: string;
  code: string;
  name: string;
  kind: OrgUnitKind;
  parentId: string | null;
}

const columns = `u.id, u.code, u.name, u.kind, u.parent_id as "parentId"`;

/** Read queries over the unit tree. Every method takes arrays so loaders can batch them. */
export class OrgUnitRepository {
  constructor(private readonly em: EntityManager) {}

  async findByIds(ids: readonly string[]): Promise<OrgUnitRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute<OrgUnitRecord[]>(`select ${columns} from registry.org_unit u where u.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async findByCodes(codes: readonly string[]): Promise<OrgUnitRecord[]> {
    if (codes.length === 0) return [];
    return this.em.execute<OrgUnitRecord[]>(`select ${columns} from registry.org_unit u where u.code = any(?::text[])`, [sqlArray(codes)]);
  }

  async findChildren(parentIds: readonly string[]): Promise<OrgUnitRecord[]> {
    if (parentIds.length === 0) return [];
    return this.em.execute<OrgUnitRecord[]>(
      `select ${columns} from registry.org_unit u where u.parent_id = any(?::uuid[]) order by u.code`,
      [sqlArray(parentIds)],
    );
  }

  /** Every unit below `rootId` (not the root itself), shallowest first, in one indexed join. */
  async findDescendants(rootId: string, after: { depth: number; code: string } | null, limit: number): Promise<Array<OrgUnitRecord & { depth: number }>> {
    return this.em.execute(
      `select ${columns}, c.depth
         from registry.org_unit_closure c join registry.org_unit u on u.id = c.descendant_id
        where c.ancestor_id = ? and c.depth > 0
          and (?::int is null or (c.depth, u.code) > (?::int, ?::text))
        order by c.depth, u.code
        limit ?`,
      [rootId, after?.depth ?? null, after?.depth ?? null, after?.code ?? null, limit],
    );
  }

  async countDescendants(rootId: string): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: string }>>(
      `select count(*) as n from registry.org_unit_closure where ancestor_id = ? and depth > 0`,
      [rootId],
    );
    return Number(row.n);
  }

  /** Of `unitIds`, those inside the subtree rooted at `scopeUnitId` (all of them when the scope is null). */
  async filterInScope(scopeUnitId: string | null, unitIds: readonly string[]): Promise<Set<string>> {
    if (scopeUnitId === null) return new Set(unitIds);
    if (unitIds.length === 0) return new Set();
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select descendant_id as id from registry.org_unit_closure where ancestor_id = ? and descendant_id = any(?::uuid[])`,
      [scopeUnitId, sqlArray(unitIds)],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Writes the closure rows of a new unit: itself at depth 0 and every ancestor of its parent one deeper. */
  async insertClosure(unitId: string, parentId: string | null): Promise<void> {
    await this.em.execute(
      `insert into registry.org_unit_closure (ancestor_id, descendant_id, depth)
       select ?::uuid, ?::uuid, 0
       union all
       select c.ancestor_id, ?::uuid, c.depth + 1 from registry.org_unit_closure c where c.descendant_id = ?::uuid`,
      [unitId, unitId, unitId, parentId],
    );
  }
}
