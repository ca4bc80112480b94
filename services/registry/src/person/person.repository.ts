import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface PersonRecord {
  id: string;
  orgUnitId: string;
  name: string;
  employeeNumber: string | null;
  email: string | null;
}

const columns = `p.id, p.org_unit_id as "orgUnitId", p.name, p.employee_number as "employeeNumber", p.email`;

/** Queries over people; array-in methods for loaders. */
export class PersonRepository {
  constructor(private readonly em: EntityManager) {}

  async findByIds(ids: readonly string[]): Promise<PersonRecord[]> {
    if (ids.length === 0) return [];
    return this.em.execute(`select ${columns} from registry.person p where p.id = any(?::uuid[])`, [sqlArray(ids)]);
  }

  async list(q: { rootUnitId: string | null; includeDescendants: boolean; search: string | null }, after: [string, string] | null, limit: number): Promise<PersonRecord[]> {
    const where = listWhere(q);
    return this.em.execute(
      `select ${columns} from registry.person p where ${where.sql} ${after ? 'and (p.name, p.id) > (?, ?::uuid)' : ''} order by p.name, p.id limit ?`,
      [...where.params, ...(after ?? []), limit],
    );
  }

  async count(q: { rootUnitId: string | null; includeDescendants: boolean; search: string | null }): Promise<number> {
    const where = listWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from registry.person p where ${where.sql}`, where.params);
    return Number(row.n);
  }
}

function listWhere(q: { rootUnitId: string | null; includeDescendants: boolean; search: string | null }) {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.rootUnitId !== null) {
    clauses.push(q.includeDescendants ? `p.org_unit_id in (select descendant_id from registry.org_unit_closure where ancestor_id = ?)` : `p.org_unit_id = ?`);
    params.push(q.rootUnitId);
  }
  if (q.search !== null) {
    const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    clauses.push(`(p.name ilike ? or p.employee_number ilike ? or p.email ilike ?)`);
    params.push(pattern, pattern, pattern);
  }
  return { sql: clauses.length ? clauses.join(' and ') : 'true', params };
}
