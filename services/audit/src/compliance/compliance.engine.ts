import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlArray, TRACKED_CATEGORIES } from '@genuine/kit';

/**
 * The compliance engine (DESIGN → Compliance semantics, rules 1–7), as set-based SQL over the inventories and the
 * registry's published views. One code path serves both the full recompute (every machine) and the incremental
 * one (the machines a change touched), which is what makes their results identical (rule 7).
 *
 * Steps, for a set of machines M on the evaluation date:
 *  1. installs: each recognized edition on each machine of M, with its product, category and licensable flag;
 *  2. direct coverage (rule 2 a–d): a machine seat, the operator's seat, a SITE license of the unit or an ancestor,
 *     an OEM license bound to the machine — the first that applies, in that order, then the oldest entitlement;
 *  3. pooled coverage (rule 2 e): for every product that has a pool, the pool's seats are dealt out again over all
 *     machines still uncovered for it, nearest owning unit first, then the oldest entitlement, then machine id;
 *  4. each machine's status per category (rule 3), the per-unit counts (rules 4, 5) and positions (rule 6) of the
 *     units whose figures moved.
 */
export class ComplianceEngine {
  private prepared = false;

  constructor(
    private readonly em: EntityManager,
    private readonly evaluationDate: string,
  ) {}

  /**
   * The entitlements active on the evaluation date and the coverage relation, copied once per batch into
   * analyzed temporary tables: the published views compute coverage recursively, and the planner cannot
   * estimate a recursive view, which turned every join with it into a nested loop over millions of rows.
   */
  private async prepare(): Promise<void> {
    if (this.prepared) return;
    // A utility statement takes no parameters; the date is checked to be a plain ISO date before it is inlined.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(this.evaluationDate)) throw new Error('evaluation date must be YYYY-MM-DD');
    const on = `'${this.evaluationDate}'::date`;
    await this.em.execute(
      `create temp table compliance_ent on commit drop as select * from registry_public.entitlement
        where not retired and valid_from <= ${on} and (valid_until is null or valid_until >= ${on})`,
    );
    await this.em.execute(`create temp table compliance_cov on commit drop as select edition_id, covered_edition_id from registry_public.edition_coverage`);
    await this.em.execute(`create index on compliance_cov (covered_edition_id, edition_id)`);
    await this.em.execute(`create index on compliance_ent (id)`);
    await this.em.execute(`analyze compliance_ent`);
    await this.em.execute(`analyze compliance_cov`);
    await this.em.execute(`create temp table compliance_scope (machine_id uuid primary key) on commit drop`);
    this.prepared = true;
  }

  /** Recomputes everything, from nothing: the reference the incremental path must always agree with. */
  async recomputeAll(): Promise<{ machines: number }> {
    for (const table of ['compliance_install', 'compliance_machine_category', 'compliance_unit_category', 'compliance_unit', 'compliance_position']) {
      await this.em.execute(`truncate audit.${table}`);
    }
    const machines = await this.recomputeMachines('ALL');
    await this.em.execute(`delete from audit.compliance_dirty_machine`);
    return { machines };
  }

  /**
   * Recomputes the given machines (registered, moved, retired, re-inventoried, seats changed) and everything their
   * change can move: pools of their products, their units' and those units' ancestors' figures. The machines are
   * put in an analyzed temporary table that every statement joins, rather than passed as an array to each.
   */
  async recomputeMachines(machineIds: readonly string[] | 'ALL'): Promise<number> {
    if (machineIds !== 'ALL' && machineIds.length === 0) return 0;
    await this.prepare();
    await this.em.execute(`truncate compliance_scope`);
    if (machineIds === 'ALL') await this.em.execute(`insert into compliance_scope select id from registry_public.machine`);
    else await this.em.execute(`insert into compliance_scope select distinct unnest(?::uuid[])`, [sqlArray(machineIds)]);
    await this.em.execute(`analyze compliance_scope`);
    const inScope = `machine_id in (select machine_id from compliance_scope)`;
    // Units whose figures can move: where the machines are now and where they were (moves, retirements).
    const before = await this.em.execute<Array<{ org_unit_id: string }>>(`select distinct org_unit_id from audit.compliance_machine_category where ${inScope}`);
    const productsBefore = await this.em.execute<Array<{ product_id: string }>>(`select distinct product_id from audit.compliance_install where ${inScope}`);
    await this.em.execute(`delete from audit.compliance_install where ${inScope}`);
    await this.em.execute(`delete from audit.compliance_machine_category where ${inScope}`);

    await this.insertInstalls();
    const productsAfter = await this.em.execute<Array<{ product_id: string }>>(`select distinct product_id from audit.compliance_install where ${inScope}`);
    const poolMachines = await this.redealPools([...new Set([...productsBefore, ...productsAfter].map((p) => p.product_id))]);
    if (poolMachines.length > 0) {
      await this.em.execute(`insert into compliance_scope select unnest(?::uuid[]) on conflict do nothing`, [sqlArray(poolMachines)]);
      await this.em.execute(`delete from audit.compliance_machine_category where ${inScope}`);
    }
    await this.insertStatuses();
    const units = await this.em.execute<Array<{ id: string }>>(
      `select distinct a.ancestor_id as id
         from (select org_unit_id from registry_public.machine where id in (select machine_id from compliance_scope)
               union select unnest(?::uuid[])) u(unit_id)
         join registry_public.org_unit_ancestry a on a.unit_id = u.unit_id`,
      [sqlArray(before.map((b) => b.org_unit_id))],
    );
    await this.refreshUnits(units.map((u) => u.id));
    const [{ n }] = await this.em.execute<Array<{ n: number }>>(`select count(*)::int as n from compliance_scope`);
    return n;
  }

  /** Recomputes the figures of units (their own machines and the seats they own), e.g. after an entitlement changed. */
  async refreshUnits(unitIds: readonly string[]): Promise<void> {
    if (unitIds.length === 0) return;
    await this.prepare();
    const units = sqlArray(unitIds);
    const tracked = sqlArray(TRACKED_CATEGORIES);
    await this.em.execute(`delete from audit.compliance_unit_category where org_unit_id = any(?::uuid[])`, [units]);
    await this.em.execute(
      `insert into audit.compliance_unit_category (org_unit_id, category, machine_count, licensed, unlicensed, missing)
       select org_unit_id, category, count(*), count(*) filter (where status = 'LICENSED'),
              count(*) filter (where status = 'UNLICENSED'), count(*) filter (where status = 'MISSING')
         from audit.compliance_machine_category where org_unit_id = any(?::uuid[])
        group by org_unit_id, category`,
      [units],
    );
    await this.em.execute(`delete from audit.compliance_unit where org_unit_id = any(?::uuid[])`, [units]);
    await this.em.execute(
      `insert into audit.compliance_unit (org_unit_id, machine_count, fully_licensed)
       select org_unit_id, count(*), count(*) filter (where licensed = ?)
         from (select machine_id, org_unit_id, count(*) filter (where status = 'LICENSED' and category = any(?::text[])) as licensed
                 from audit.compliance_machine_category where org_unit_id = any(?::uuid[]) group by machine_id, org_unit_id) m
        group by org_unit_id`,
      [TRACKED_CATEGORIES.length, tracked, units],
    );
    await this.em.execute(`delete from audit.compliance_position where org_unit_id = any(?::uuid[])`, [units]);
    await this.em.execute(
      `insert into audit.compliance_position (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
       select coalesce(i.org_unit_id, s.org_unit_id), coalesce(i.edition_id, s.edition_id),
              coalesce(i.installs, 0), coalesce(i.covered, 0), coalesce(s.entitled, 0), coalesce(s.assigned, 0), coalesce(s.pooled, 0)
         from (select org_unit_id, edition_id, count(*) as installs, count(*) filter (where basis is not null) as covered
                 from audit.compliance_install where licensable and org_unit_id = any(?::uuid[]) group by 1, 2) i
         full join (
               select e.org_unit_id, e.edition_id, sum(e.quantity) as entitled, sum(coalesce(a.n, 0)) as assigned, sum(coalesce(p.n, 0)) as pooled
                 from compliance_ent e
                 left join (select entitlement_id, count(*) as n from registry_public.assignment where active group by 1) a on a.entitlement_id = e.id
                 left join (select entitlement_id, count(distinct machine_id) as n from audit.compliance_install where basis = 'POOL' group by 1) p on p.entitlement_id = e.id
                where e.org_unit_id = any(?::uuid[])
                group by 1, 2) s
           on s.org_unit_id = i.org_unit_id and s.edition_id = i.edition_id`,
      [units, units],
    );
  }

  private async insertInstalls(): Promise<void> {
    await this.em.execute(
      `with m as (
         select id, org_unit_id, operator_person_id from registry_public.machine
          where status = 'ACTIVE' and id in (select machine_id from compliance_scope)
       ), need as (
         select distinct m.id as machine_id, m.org_unit_id, m.operator_person_id, ed.id as edition_id, ed.product_id, ed.category, ed.licensable
           from m join audit.installation i on i.machine_id = m.id
           join audit.software_title t on t.id = i.title_id and t.edition_id is not null and not t.ignored
           join registry_public.edition ed on ed.id = t.edition_id
       ), candidate as (
         select n.machine_id, n.edition_id, 1 as rank, 'DEVICE' as basis, e.id, e.created_at
           from need n join registry_public.assignment a on a.machine_id = n.machine_id and a.active
           join compliance_ent e on e.id = a.entitlement_id and e.metric <> 'PER_USER'
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
         union all
         select n.machine_id, n.edition_id, 2, 'USER', e.id, e.created_at
           from need n join registry_public.assignment a on a.person_id = n.operator_person_id and a.active
           join compliance_ent e on e.id = a.entitlement_id and e.metric = 'PER_USER'
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
         union all
         select n.machine_id, n.edition_id, 3, 'SITE', e.id, e.created_at
           from need n join registry_public.org_unit_ancestry an on an.unit_id = n.org_unit_id
           join compliance_ent e on e.org_unit_id = an.ancestor_id and e.metric = 'SITE'
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
         union all
         select n.machine_id, n.edition_id, 4, 'OEM', e.id, e.created_at
           from need n join compliance_ent e on e.type = 'OEM' and e.oem_machine_id = n.machine_id
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
       ), best as (
         select distinct on (machine_id, edition_id) machine_id, edition_id, basis, id
           from candidate order by machine_id, edition_id, rank, created_at, id
       )
       insert into audit.compliance_install (machine_id, edition_id, product_id, category, org_unit_id, licensable, basis, entitlement_id)
       select n.machine_id, n.edition_id, n.product_id, n.category, n.org_unit_id, n.licensable,
              case when not n.licensable then 'FREE' else b.basis end, b.id
         from need n left join best b on b.machine_id = n.machine_id and b.edition_id = n.edition_id`,
    );
  }

  /**
   * Deals the seats of pooled entitlements for `productIds` again over every machine still uncovered for those
   * products. Returns the machines whose pooled coverage changed. The deal is a greedy pass over candidate
   * (machine, entitlement) pairs in the order rule 2e fixes: it is inherently sequential (a seat taken by an
   * earlier machine is gone for a later one), so it runs here over the sorted pairs PostgreSQL hands back.
   */
  private async redealPools(productIds: readonly string[]): Promise<string[]> {
    if (productIds.length === 0) return [];
    const pooled = await this.em.execute<Array<{ product_id: string }>>(
      `select distinct ed.product_id from compliance_ent e join compliance_cov c on c.edition_id = e.edition_id
          join registry_public.edition ed on ed.id = c.covered_edition_id
         where e.allocation = 'POOLED' and e.metric not in ('SITE', 'PER_USER') and ed.product_id = any(?::uuid[])`,
      [sqlArray(productIds)],
    );
    const products = sqlArray(productIds);
    const previous = await this.em.execute<Array<{ machine_id: string; product_id: string; entitlement_id: string }>>(
      `select distinct machine_id, product_id, entitlement_id from audit.compliance_install where basis = 'POOL' and product_id = any(?::uuid[])`,
      [products],
    );
    await this.em.execute(`update audit.compliance_install set basis = null, entitlement_id = null where basis = 'POOL' and product_id = any(?::uuid[])`, [products]);
    if (pooled.length === 0) return [...new Set(previous.map((p) => p.machine_id))];

    const pairs = await this.em.execute<Array<{ machine_id: string; product_id: string; entitlement_id: string; quantity: number }>>(
      `with need_edition as (
         select machine_id, product_id, org_unit_id, edition_id
           from audit.compliance_install where licensable and basis is null and product_id = any(?::uuid[])
       ), need as (
         select machine_id, product_id, count(*) as n from need_edition group by machine_id, product_id
       ), pool as (
         select e.id, e.org_unit_id, e.edition_id, e.quantity, e.created_at from compliance_ent e
          where e.allocation = 'POOLED' and e.metric not in ('SITE', 'PER_USER')
       ), pair as (
         -- a pool is a candidate for a need when it covers every uncovered edition of the product on the machine
         select ne.machine_id, ne.product_id, p.id as entitlement_id, an.depth, count(*) as covered
           from need_edition ne
           join registry_public.org_unit_ancestry an on an.unit_id = ne.org_unit_id
           join pool p on p.org_unit_id = an.ancestor_id
           join compliance_cov c on c.edition_id = p.edition_id and c.covered_edition_id = ne.edition_id
          group by ne.machine_id, ne.product_id, p.id, an.depth
       )
       select pr.machine_id, pr.product_id, pr.entitlement_id, p.quantity::int as quantity
         from pair pr join need n on n.machine_id = pr.machine_id and n.product_id = pr.product_id and n.n = pr.covered
         join pool p on p.id = pr.entitlement_id
        order by pr.depth, p.created_at, p.id, pr.machine_id`,
      [sqlArray(pooled.map((p) => p.product_id))],
    );
    // A seat covers one machine for every covered edition of the product on it (rule 2e).
    const seatsLeft = new Map<string, number>();
    const dealt = new Map<string, { machineId: string; productId: string; entitlementId: string }>();
    for (const pair of pairs) {
      const need = `${pair.machine_id}/${pair.product_id}`;
      if (dealt.has(need)) continue;
      const left = seatsLeft.get(pair.entitlement_id) ?? pair.quantity;
      if (left <= 0) continue;
      seatsLeft.set(pair.entitlement_id, left - 1);
      dealt.set(need, { machineId: pair.machine_id, productId: pair.product_id, entitlementId: pair.entitlement_id });
    }
    const allocations = [...dealt.values()];
    if (allocations.length > 0) {
      await this.em.execute(
        `update audit.compliance_install ci set basis = 'POOL', entitlement_id = d.entitlement_id
           from unnest(?::uuid[], ?::uuid[], ?::uuid[]) as d(machine_id, product_id, entitlement_id)
          where ci.machine_id = d.machine_id and ci.product_id = d.product_id and ci.basis is null and ci.licensable`,
        [sqlArray(allocations.map((a) => a.machineId)), sqlArray(allocations.map((a) => a.productId)), sqlArray(allocations.map((a) => a.entitlementId))],
      );
    }
    const before = new Map(previous.map((p) => [`${p.machine_id}/${p.product_id}`, p.entitlement_id]));
    const changed = new Set<string>();
    for (const [key, value] of before) if (dealt.get(key)?.entitlementId !== value) changed.add(key.split('/')[0]);
    for (const [key, value] of dealt) if (before.get(key) !== value.entitlementId) changed.add(value.machineId);
    return [...changed];
  }

  private async insertStatuses(): Promise<void> {
    await this.em.execute(
      `insert into audit.compliance_machine_category (machine_id, category, org_unit_id, status)
       select m.id, c.category, m.org_unit_id,
              case when count(ci.edition_id) = 0 then 'MISSING'
                   when bool_and(ci.basis is not null) then 'LICENSED'
                   else 'UNLICENSED' end
         from registry_public.machine m
         cross join unnest(?::text[]) as c(category)
         left join audit.compliance_install ci on ci.machine_id = m.id and ci.category = c.category
        where m.status = 'ACTIVE' and m.id in (select machine_id from compliance_scope)
        group by m.id, c.category, m.org_unit_id`,
      [sqlArray(ALL_CATEGORIES)],
    );
  }
}

/** Every category gets a status, so a unit's rate in any category is defined (MISSING counts against it). */
const ALL_CATEGORIES = ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS', 'DATABASE', 'DESIGN', 'DEVELOPMENT', 'OTHER'];
