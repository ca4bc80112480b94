/**
 * The dashboard question of issue 7: the first `units` units below a root, each with its first `machines`
 * machines and their unit's name. The same question as each contender asks it.
 */
export interface PageSizes {
  units: number;
  machines: number;
}

export const DASHBOARD_SIZES: PageSizes = { units: 50, machines: 20 };

/** Through our gateway (the supergraph's fields). */
export function genuineDashboardQuery(rootCode: string, sizes: PageSizes = DASHBOARD_SIZES): string {
  return `{ orgUnit(code: ${JSON.stringify(rootCode)}) { descendants(first: ${sizes.units}) { edges { node { name machines(first: ${sizes.machines}) { edges { node { hostname orgUnit { name } } } } } } } } }`;
}

/**
 * PostGraphile 4 over the registry schema: the closure table gives the subtree (offset 1 skips the root itself,
 * the only row at depth 0), foreign keys give the units and their machines.
 */
export function postgraphileDashboardQuery(rootCode: string, sizes: PageSizes = DASHBOARD_SIZES): string {
  return `{ orgUnitByCode(code: ${JSON.stringify(rootCode)}) { orgUnitClosuresByAncestorId(first: ${sizes.units}, offset: 1, orderBy: [DEPTH_ASC, DESCENDANT_ID_ASC]) { edges { node { orgUnitByDescendantId { name machinesByOrgUnitId(first: ${sizes.machines}, orderBy: [HOSTNAME_ASC, ID_ASC]) { edges { node { hostname orgUnitByOrgUnitId { name } } } } } } } } } }`;
}

/** The best single SQL statement for the same answer: PostgreSQL builds the whole JSON document itself. */
export const DASHBOARD_SQL = `
  with units as (
    select u.id, u.code, u.name, c.depth
      from registry.org_unit_closure c join registry.org_unit u on u.id = c.descendant_id
     where c.ancestor_id = (select id from registry.org_unit where code = $1) and c.depth > 0
     order by c.depth, u.code
     limit $2)
  select json_agg(json_build_object('name', units.name, 'machines', (
           select coalesce(json_agg(json_build_object('hostname', m.hostname, 'orgUnit', json_build_object('name', units.name))), '[]')
             from (select x.hostname from registry.machine x where x.org_unit_id = units.id
                    order by coalesce(x.hostname, ''), x.id limit $3) m))
         order by units.depth, units.code) as answer
    from units`;

/** Units and machines in an answer, whatever its shape, to check every contender answered the same question. */
export function countAnswer(body: unknown): { units: number; machines: number; errors: string[] } {
  const result = { units: 0, machines: 0, errors: [] as string[] };
  const root = body as { data?: unknown; errors?: Array<{ message: string }> } | null;
  if (root?.errors) result.errors = root.errors.map((e) => e.message);
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if ('hostname' in record) result.machines += 1;
    else if ('name' in record && (key === 'node' || key === 'orgUnitByDescendantId')) result.units += 1;
    for (const [k, v] of Object.entries(record)) walk(v, k);
  };
  walk(root?.data, '');
  return result;
}
