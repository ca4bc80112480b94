import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlArray } from '@genuine/kit';

export interface CategoryCounts {
  unitId: string;
  category: string;
  machineCount: number;
  licensed: number;
  unlicensed: number;
  missing: number;
}

export interface UnitTotals {
  unitId: string;
  machineCount: number;
  fullyLicensed: number;
}

export interface CostRow {
  unitId: string;
  amount: string;
  currency: string;
}

export interface PositionRow {
  editionId: string;
  installs: number;
  covered: number;
  entitled: number;
  assigned: number;
  pooled: number;
  shortfall: number;
  surplus: number;
  unitCost: string | null;
  currency: string | null;
  shortfallCost: string | null;
  category: string;
}

export interface PositionFilter {
  category?: string | null;
  editionId?: string | null;
  onlyShortfall?: boolean | null;
}

export interface MachineStatusRow {
  machineId: string;
  category: string;
  status: string;
}

export interface ExplanationRow {
  machineId: string;
  editionId: string;
  category: string;
  licensable: boolean;
  basis: string | null;
  entitlementId: string | null;
}

/** A subtree (`descendants`) or the unit alone; figures are kept per unit alone and summed over the subtree here. */
const unitsOf = (includeDescendants: boolean) =>
  includeDescendants
    ? `select u.id as root, a.unit_id from unnest(?::uuid[]) u(id) join registry_public.org_unit_ancestry a on a.ancestor_id = u.id`
    : `select u.id as root, u.id as unit_id from unnest(?::uuid[]) u(id)`;

/** Reads of the maintained results; every method takes arrays of roots so loaders batch them. */
export class ComplianceRepository {
  constructor(private readonly em: EntityManager) {}

  /** The version of the engine's results: the transaction of its last batch (see UnitFiguresCache). */
  async resultsVersion(): Promise<string> {
    const [row] = await this.em.execute<Array<{ version: string }>>(`select xmin::text as version from audit.compliance_state where id = 1`);
    return row?.version ?? 'none';
  }

  async categoryCounts(unitIds: readonly string[], includeDescendants: boolean): Promise<CategoryCounts[]> {
    return this.em.execute<CategoryCounts[]>(
      `with scope as (${unitsOf(includeDescendants)})
       select s.root as "unitId", c.category, sum(c.machine_count)::int as "machineCount", sum(c.licensed)::int as licensed,
              sum(c.unlicensed)::int as unlicensed, sum(c.missing)::int as missing
         from scope s join audit.compliance_unit_category c on c.org_unit_id = s.unit_id
        group by s.root, c.category`,
      [sqlArray(unitIds)],
    );
  }

  async totals(unitIds: readonly string[], includeDescendants: boolean): Promise<UnitTotals[]> {
    return this.em.execute<UnitTotals[]>(
      `with scope as (${unitsOf(includeDescendants)})
       select s.root as "unitId", sum(c.machine_count)::int as "machineCount", sum(c.fully_licensed)::int as "fullyLicensed"
         from scope s join audit.compliance_unit c on c.org_unit_id = s.unit_id group by s.root`,
      [sqlArray(unitIds)],
    );
  }

  /** Shortfall x unit cost (list price, else the latest purchase price), per currency, exact in numeric. */
  async shortfallCosts(unitIds: readonly string[], includeDescendants: boolean): Promise<CostRow[]> {
    return this.em.execute<CostRow[]>(
      // Shortfall per edition first, priced after: the price view is looked up once per edition, not per unit.
      `with scope as (${unitsOf(includeDescendants)}),
       shortfall as (
         select s.root, p.edition_id, sum(p.installs - p.covered) as n
           from scope s join audit.compliance_position p on p.org_unit_id = s.unit_id
          where p.installs > p.covered group by s.root, p.edition_id
       ),
       price as materialized (
         select pr.edition_id, pr.unit_cost, pr.cost_currency from registry_public.edition_price pr
          where pr.unit_cost is not null and pr.edition_id in (select edition_id from shortfall)
       )
       select sh.root as "unitId", to_char(sum(sh.n * pr.unit_cost), 'FM999999999999990.00') as amount, pr.cost_currency as currency
         from shortfall sh join price pr on pr.edition_id = sh.edition_id
        group by sh.root, pr.cost_currency order by sh.root, pr.cost_currency`,
      [sqlArray(unitIds)],
    );
  }

  /** The filtered positions of a unit (summed over its subtree), as a query fragment and its parameters. */
  private positionsOf(unitId: string, includeDescendants: boolean, filter: PositionFilter): { sql: string; params: unknown[] } {
    return {
      sql: `with scope as (${unitsOf(includeDescendants)}),
       agg as (
         select p.edition_id, sum(p.installs)::int as installs, sum(p.covered)::int as covered, sum(p.entitled)::int as entitled,
                sum(p.assigned)::int as assigned, sum(p.pooled)::int as pooled
           from scope s join audit.compliance_position p on p.org_unit_id = s.unit_id group by p.edition_id
       ),
       filtered as (
         select a.*, ed.category from agg a join registry_public.edition ed on ed.id = a.edition_id
          where (?::text is null or ed.category = ?) and (?::uuid is null or a.edition_id = ?::uuid)
            and (not ?::boolean or a.installs > a.covered)
       )`,
      params: [sqlArray([unitId]), filter.category ?? null, filter.category ?? null, filter.editionId ?? null, filter.editionId ?? null, filter.onlyShortfall ?? false],
    };
  }

  async positions(unitId: string, includeDescendants: boolean, filter: PositionFilter, after: string | null, limit: number): Promise<PositionRow[]> {
    const base = this.positionsOf(unitId, includeDescendants, filter);
    return this.em.execute<PositionRow[]>(
      `${base.sql}
       select f.edition_id as "editionId", f.installs, f.covered, f.entitled, f.assigned, f.pooled,
              f.installs - f.covered as shortfall, greatest(f.entitled - f.assigned - f.pooled, 0) as surplus,
              pr.unit_cost::text as "unitCost", pr.cost_currency as currency,
              case when pr.unit_cost is null then null else to_char((f.installs - f.covered) * pr.unit_cost, 'FM999999999999990.00') end as "shortfallCost",
              f.category
         from filtered f left join registry_public.edition_price pr on pr.edition_id = f.edition_id
        where (?::uuid is null or f.edition_id > ?::uuid)
        order by f.edition_id limit ?`,
      [...base.params, after, after, limit],
    );
  }

  async countPositions(unitId: string, includeDescendants: boolean, filter: PositionFilter): Promise<number> {
    const base = this.positionsOf(unitId, includeDescendants, filter);
    const [row] = await this.em.execute<Array<{ n: number }>>(`${base.sql} select count(*)::int as n from filtered`, base.params);
    return row.n;
  }

  async machineStatuses(machineIds: readonly string[]): Promise<MachineStatusRow[]> {
    return this.em.execute<MachineStatusRow[]>(
      `select machine_id as "machineId", category, status from audit.compliance_machine_category
        where machine_id = any(?::uuid[]) order by machine_id, array_position(array['OPERATING_SYSTEM','OFFICE','ANTIVIRUS','DATABASE','DESIGN','DEVELOPMENT','OTHER'], category::text)`,
      [sqlArray(machineIds)],
    );
  }

  async explanation(machineId: string, category: string | null): Promise<ExplanationRow[]> {
    return this.em.execute<ExplanationRow[]>(
      `select machine_id as "machineId", edition_id as "editionId", category, licensable, basis, entitlement_id as "entitlementId"
         from audit.compliance_install where machine_id = ? and (?::text is null or category = ?) order by category, edition_id`,
      [machineId, category, category],
    );
  }

  /** Licensable installs nothing covers, in a subtree: what to fix first. */
  async unlicensed(unitId: string, after: [string, string] | null, limit: number): Promise<ExplanationRow[]> {
    return this.em.execute<ExplanationRow[]>(
      `select ci.machine_id as "machineId", ci.edition_id as "editionId", ci.category, ci.licensable, ci.basis, ci.entitlement_id as "entitlementId"
         from audit.compliance_install ci join registry_public.org_unit_ancestry a on a.unit_id = ci.org_unit_id and a.ancestor_id = ?
        where ci.licensable and ci.basis is null and (?::uuid is null or (ci.machine_id, ci.edition_id) > (?::uuid, ?::uuid))
        order by ci.machine_id, ci.edition_id limit ?`,
      [unitId, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  async countUnlicensed(unitId: string): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: number }>>(
      `select count(*)::int as n from audit.compliance_install ci
         join registry_public.org_unit_ancestry a on a.unit_id = ci.org_unit_id and a.ancestor_id = ?
        where ci.licensable and ci.basis is null`,
      [unitId],
    );
    return row.n;
  }

  /** Machine seats of entitlements owned in the subtree that cover nothing installed on their machine. */
  async reclaimable(unitId: string, limit: number): Promise<Array<{ assignmentId: string; entitlementId: string; machineId: string }>> {
    return this.em.execute(
      `select a.id as "assignmentId", a.entitlement_id as "entitlementId", a.machine_id as "machineId"
         from registry_public.assignment a
         join registry_public.entitlement e on e.id = a.entitlement_id
         join registry_public.org_unit_ancestry an on an.unit_id = e.org_unit_id and an.ancestor_id = ?
        where a.active and a.machine_id is not null
          and not exists (select 1 from audit.compliance_install ci where ci.machine_id = a.machine_id and ci.entitlement_id = a.entitlement_id)
        order by a.assigned_at, a.id limit ?`,
      [unitId, limit],
    );
  }

  async expiring(unitId: string, days: number, limit: number): Promise<Array<{ entitlementId: string; validUntil: string }>> {
    return this.em.execute(
      `select e.id as "entitlementId", to_char(e.valid_until, 'YYYY-MM-DD') as "validUntil"
         from registry_public.entitlement e join registry_public.org_unit_ancestry an on an.unit_id = e.org_unit_id and an.ancestor_id = ?
        where not e.retired and e.valid_until between current_date and current_date + ?::int
        order by e.valid_until, e.id limit ?`,
      [unitId, days, limit],
    );
  }

  /** Of `unitIds`, those inside the subtree rooted at `scopeUnitId` (all when null). */
  async unitsInScope(scopeUnitId: string | null, unitIds: readonly string[]): Promise<Set<string>> {
    if (unitIds.length === 0) return new Set();
    const rows = await this.em.execute<Array<{ id: string }>>(
      scopeUnitId === null
        ? `select id from registry_public.org_unit where id = any(?::uuid[])`
        : `select unit_id as id from registry_public.org_unit_ancestry where ancestor_id = ? and unit_id = any(?::uuid[])`,
      scopeUnitId === null ? [sqlArray(unitIds)] : [scopeUnitId, sqlArray(unitIds)],
    );
    return new Set(rows.map((r) => r.id));
  }
}
