import type { EntityManager } from '@mikro-orm/postgresql';
import { SoftwareCategory, sqlArray, TRACKED_CATEGORIES } from '@genuine/kit';

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
  /** Whether the scope tables hold an earlier call's machines (one engine can recompute several sets). */
  private scopeUsed = false;
  /** Secondary indexes a full recompute dropped for its bulk load, rebuilt as soon as each table is loaded. */
  private deferredIndexes: DeferredIndex[] = [];

  constructor(
    private readonly em: EntityManager,
    private readonly evaluationDate: string,
  ) {}

  /**
   * The entitlements active on the evaluation date and the coverage relation, copied once per batch into
   * analyzed temporary tables: the published views compute coverage recursively, and the planner cannot
   * estimate a recursive view, which turned every join with it into a nested loop over millions of rows.
   *
   * The temporary tables live as long as the database session and are emptied at the start of each batch, rather
   * than created and dropped with every transaction: creating and dropping six tables wrote the system catalogs
   * each time, a fifth of an incremental update. Batches never overlap on a session (the worker's advisory lock),
   * and a failed batch's rows roll back with it.
   */
  private async prepare(large: boolean): Promise<void> {
    if (this.prepared) return;
    // A utility statement takes no parameters; the date is checked to be a plain ISO date before it is inlined.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(this.evaluationDate)) throw new Error('evaluation date must be YYYY-MM-DD');
    const on = `'${this.evaluationDate}'::date`;
    // One round trip. Indexes pay off only when the batch joins many machines against them.
    await this.em.execute(
      [
        `create temp table if not exists compliance_ent (id uuid, edition_id uuid, org_unit_id uuid, quantity integer, metric text, type text,
           allocation text, created_at timestamptz, oem_machine_id uuid)`,
        `create temp table if not exists compliance_cov (edition_id uuid, covered_edition_id uuid)`,
        // The machines being recomputed, with what the engine needs of them: copied once so that every statement
        // joins a table the planner can estimate (the view's status is a cast it cannot).
        `create temp table if not exists compliance_scope (machine_id uuid primary key, org_unit_id uuid, operator_person_id uuid, active boolean not null)`,
        `create temp table if not exists compliance_need (machine_id uuid, org_unit_id uuid, operator_person_id uuid, edition_id uuid, product_id uuid, category text, licensable boolean)`,
        `create temp table if not exists compliance_pool_ask (machine_id uuid, product_id uuid, org_unit_id uuid, edition_id uuid, entitlement_id uuid)`,
        `create temp table if not exists compliance_left_unit (org_unit_id uuid)`,
        // The statuses the recomputed machines had before: what the unit counts lose (see applyStatusDeltas).
        `create temp table if not exists compliance_old_status (machine_id uuid, org_unit_id uuid, category text, status text)`,
        'truncate compliance_ent, compliance_cov, compliance_scope, compliance_need, compliance_pool_ask, compliance_left_unit, compliance_old_status',
        // Only the columns the engine reads: the copy and its statistics cost less.
        `insert into compliance_ent
           select id, edition_id, org_unit_id, quantity, metric, type, allocation, created_at, oem_machine_id from registry_public.entitlement
            where not retired and valid_from <= ${on} and (valid_until is null or valid_until >= ${on})`,
        `insert into compliance_cov select edition_id, covered_edition_id from registry_public.edition_coverage`,
        // Large batches join many machines against both: indexes and column statistics pay off. A small batch joins
        // a few dozen installs, for which the planner's size-based estimate is enough; analyzing thousands of
        // entitlements was a fifth of an incremental update.
        ...(large
          ? [
              `create index if not exists compliance_cov_covered on compliance_cov (covered_edition_id, edition_id)`,
              `create index if not exists compliance_ent_id on compliance_ent (id)`,
              `analyze compliance_ent`,
            ]
          : []),
        `analyze compliance_cov`,
      ].join(';\n'),
    );
    this.prepared = true;
  }

  /** Recomputes everything, from nothing: the reference the incremental path must always agree with. */
  async recomputeAll(): Promise<{ machines: number }> {
    await this.em.execute(`truncate audit.compliance_install, audit.compliance_machine_category, audit.compliance_unit_category, audit.compliance_unit, audit.compliance_position`);
    // A bulk load into empty tables, which the truncate keeps locked until commit: their secondary indexes are
    // dropped and built once after the load, which is several times faster than maintaining them row by row.
    // Primary keys go too (rebuilt as constraints); nothing references these tables.
    this.deferredIndexes = await this.em.execute<DeferredIndex[]>(
      `select i.tablename as "table", i.indexname as name,
              case when c.contype = 'p' then format('alter table audit.%I add constraint %I %s', i.tablename, c.conname, pg_get_constraintdef(c.oid))
                   else i.indexdef end as definition,
              case when c.contype = 'p' then format('alter table audit.%I drop constraint %I', i.tablename, c.conname)
                   else format('drop index audit.%I', i.indexname) end as drop
         from pg_indexes i left join pg_constraint c on c.conname = i.indexname and c.connamespace = 'audit'::regnamespace
        where i.schemaname = 'audit' and i.tablename in ('compliance_install', 'compliance_machine_category')
          and (c.oid is null or c.contype = 'p')`,
    );
    if (this.deferredIndexes.length > 0) await this.em.execute(this.deferredIndexes.map((d) => d.drop).join(';\n'));
    const machines = await this.recomputeMachines('ALL');
    await this.em.execute(`delete from audit.compliance_dirty_machine`);
    return { machines };
  }

  /**
   * Recomputes the given machines (registered, moved, retired, re-inventoried, seats changed) and everything their
   * change can move: pools of their products, the figures of the units they are in or left, and those of the units
   * owning seats that moved. The machines are put in a temporary table that every statement joins, rather than
   * passed as an array to each.
   */
  async recomputeMachines(machineIds: readonly string[] | 'ALL', changed: { entitlementIds?: readonly string[]; unitIds?: readonly string[] } = {}): Promise<number> {
    if (machineIds !== 'ALL' && machineIds.length === 0) {
      await this.refreshUnits([], changed.unitIds ?? []);
      return 0;
    }
    const large = machineIds === 'ALL' || machineIds.length > 1000;
    await this.prepare(large);
    // Statements without parameters are sent together, one round trip each group: an incremental update is a few
    // dozen small statements, and their round trips were most of its time. Every temporary table is analyzed once
    // filled: without statistics the planner takes a handful of machines for thousands and scans whole tables.
    const analyze = (table: string) => [`analyze ${table}`];
    const script = (statements: readonly string[]) => this.em.execute(statements.join(';\n'));
    if (this.scopeUsed) await script(['truncate compliance_scope, compliance_pool_ask, compliance_need, compliance_left_unit, compliance_old_status']);
    this.scopeUsed = true;
    if (machineIds === 'ALL') {
      // A batch job over millions of rows: sorts and hashes in memory rather than spilling to disk.
      await script([
        `set local work_mem = '256MB'`,
        `insert into compliance_scope select id, org_unit_id, operator_person_id, status = 'ACTIVE' from registry_public.machine`,
      ]);
    } else await this.addToScope(machineIds);
    const inScope = `machine_id in (select machine_id from compliance_scope)`;
    await script([
      ...analyze('compliance_scope'),
      // Units whose figures can move: where the machines are now and where they were (moves, retirements).
      `insert into compliance_left_unit select distinct org_unit_id from audit.compliance_machine_category where ${inScope}`,
      // What the machines asked of pools before: every licensable install no direct seat covered, with the pool
      // seat it held. If a product's asks are unchanged and none of its pools changed, its deal cannot change.
      ...(machineIds === 'ALL'
        ? []
        : [
            `insert into compliance_pool_ask select machine_id, product_id, org_unit_id, edition_id, entitlement_id
               from audit.compliance_install where ${inScope} and licensable and (basis is null or basis = 'POOL')`,
            'analyze compliance_pool_ask',
          ]),
      `delete from audit.compliance_install where ${inScope}`,
      this.deleteStatuses(inScope),
      ...this.installStatements(analyze('compliance_need')),
    ]);
    await this.rebuildDeferredIndexes('compliance_install');
    const pools = await this.redealPools(machineIds === 'ALL' ? 'ALL' : await this.productsToRedeal(inScope, changed.entitlementIds ?? []));
    if (pools.machineIds.length > 0) {
      await this.addToScope(pools.machineIds);
      await this.em.execute(this.deleteStatuses(inScope));
    }
    // Figures are kept per unit alone (subtrees are summed when read): machine figures move in the units the
    // machines are in or left; seat figures in the units owning entitlements that changed or whose seats moved.
    const units = await this.em.execute<Array<{ id: string; machines: boolean }>>(
      `with status as (${this.statusInsert()})
       select org_unit_id as id, true as machines from compliance_scope where org_unit_id is not null
       union select org_unit_id, true from compliance_left_unit
       union ${machineIds === 'ALL' ? `select id, false from registry_public.org_unit` : `(select unnest(?::uuid[]), false union select org_unit_id, false from registry_public.entitlement where id = any(?::uuid[]))`}`,
      machineIds === 'ALL' ? [] : [sqlArray(changed.unitIds ?? []), sqlArray(pools.entitlementIds)],
    );
    await this.rebuildDeferredIndexes('compliance_machine_category');
    const seatUnits = units.filter((u) => !u.machines).map((u) => u.id);
    if (machineIds === 'ALL') await this.refreshUnits(units.filter((u) => u.machines).map((u) => u.id), seatUnits);
    else {
      // A few machines changed: their units' counts move by what those machines lost and gained, rather than being
      // counted again over every machine of the unit (which grew with the unit: most of an update at 100,000).
      const machineUnits = units.filter((u) => u.machines).map((u) => u.id);
      await this.applyStatusDeltas();
      await this.refreshUnits([], seatUnits);
      await this.pruneEmptyPositions(machineUnits);
    }
    if (machineIds !== 'ALL') return new Set([...machineIds, ...pools.machineIds]).size;
    const [{ n }] = await this.em.execute<Array<{ n: number }>>(`select count(*)::int as n from compliance_scope`);
    return n;
  }

  /** Deletes the scope's machine statuses, keeping what they were for `applyStatusDeltas`. */
  private deleteStatuses(inScope: string): string {
    return `with gone as (delete from audit.compliance_machine_category where ${inScope} returning machine_id, org_unit_id, category, status)
            insert into compliance_old_status select machine_id, org_unit_id, category, status from gone`;
  }

  /**
   * Moves the units' own counts (`compliance_unit_category`, `compliance_unit`) by the scope's machines' statuses
   * now minus before (`compliance_old_status`): the same figures `refreshUnits` counts from scratch, for the cost
   * of the machines that changed. A unit left with no machine loses its rows, as a recount would leave none.
   */
  private async applyStatusDeltas(): Promise<void> {
    const changes = `select org_unit_id, category, status, machine_id, 1 as sign from audit.compliance_machine_category
                      where machine_id in (select machine_id from compliance_scope)
                     union all
                     select org_unit_id, category, status, machine_id, -1 from compliance_old_status`;
    await this.em.execute(
      `with delta as (
         select org_unit_id, category, sum(sign)::int as machine_count,
                coalesce(sum(sign) filter (where status = 'LICENSED'), 0)::int as licensed,
                coalesce(sum(sign) filter (where status = 'UNLICENSED'), 0)::int as unlicensed,
                coalesce(sum(sign) filter (where status = 'MISSING'), 0)::int as missing
           from (${changes}) c group by org_unit_id, category
       )
       insert into audit.compliance_unit_category as u (org_unit_id, category, machine_count, licensed, unlicensed, missing)
       select * from delta where (machine_count, licensed, unlicensed, missing) <> (0, 0, 0, 0)
       on conflict (org_unit_id, category) do update set machine_count = u.machine_count + excluded.machine_count,
         licensed = u.licensed + excluded.licensed, unlicensed = u.unlicensed + excluded.unlicensed, missing = u.missing + excluded.missing`,
    );
    await this.em.execute(
      `with per_machine as (
         select org_unit_id, machine_id, sign,
                count(*) filter (where status = 'LICENSED' and category = any(?::text[])) = ? as fully
           from (${changes}) c group by org_unit_id, machine_id, sign
       ), delta as (
         select org_unit_id, sum(sign)::int as machine_count, coalesce(sum(sign) filter (where fully), 0)::int as fully_licensed
           from per_machine group by org_unit_id
       )
       insert into audit.compliance_unit as u (org_unit_id, machine_count, fully_licensed)
       select * from delta where (machine_count, fully_licensed) <> (0, 0)
       on conflict (org_unit_id) do update set machine_count = u.machine_count + excluded.machine_count,
         fully_licensed = u.fully_licensed + excluded.fully_licensed`,
      [sqlArray(TRACKED_CATEGORIES), TRACKED_CATEGORIES.length],
    );
    await this.em.execute(
      `with touched as (select distinct org_unit_id from compliance_old_status union select org_unit_id from compliance_scope)
       , gone_categories as (delete from audit.compliance_unit_category where org_unit_id in (select org_unit_id from touched) and machine_count = 0 returning 1)
       delete from audit.compliance_unit where org_unit_id in (select org_unit_id from touched) and machine_count = 0`,
    );
  }

  /**
   * Recomputes the figures units keep of their own machines (`machineUnits`: counts per category, fully licensed)
   * and of the seats they own (`seatUnits`: entitled, assigned, pooled per edition). The install side of positions
   * follows `compliance_install` by itself (a trigger applies deltas), so a unit's installations are never re-read.
   */
  async refreshUnits(machineUnitIds: readonly string[], seatUnitIds: readonly string[] = machineUnitIds): Promise<void> {
    if (machineUnitIds.length === 0 && seatUnitIds.length === 0) return;
    await this.prepare(false);
    const units = sqlArray(machineUnitIds);
    const seats = sqlArray(seatUnitIds);
    const tracked = sqlArray(TRACKED_CATEGORIES);
    if (machineUnitIds.length > 0) {
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
    }
    if (seatUnitIds.length > 0) {
      await this.em.execute(
        `update audit.compliance_position set entitled = 0, assigned = 0, pooled = 0
          where org_unit_id = any(?::uuid[]) and (entitled, assigned, pooled) <> (0, 0, 0)`,
        [seats],
      );
      await this.em.execute(
        `insert into audit.compliance_position as p (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
         with owned as (select id, org_unit_id, edition_id, quantity from compliance_ent where org_unit_id = any(?::uuid[]))
         select e.org_unit_id, e.edition_id, 0, 0, sum(e.quantity), sum(coalesce(a.n, 0)), sum(coalesce(pl.n, 0))
           from owned e
           left join (select entitlement_id, count(*) as n from registry_public.assignment
                       where active and entitlement_id in (select id from owned) group by entitlement_id) a on a.entitlement_id = e.id
           left join (select entitlement_id, count(distinct machine_id) as n from audit.compliance_install
                       where basis = 'POOL' and entitlement_id in (select id from owned) group by entitlement_id) pl on pl.entitlement_id = e.id
          group by e.org_unit_id, e.edition_id
         on conflict (org_unit_id, edition_id) do update set entitled = excluded.entitled, assigned = excluded.assigned, pooled = excluded.pooled`,
        [seats],
      );
    }
    await this.pruneEmptyPositions([...new Set([...machineUnitIds, ...seatUnitIds])]);
  }

  /** A position exists while the unit has installs of the edition or owns seats of it. */
  private async pruneEmptyPositions(unitIds: readonly string[]): Promise<void> {
    if (unitIds.length === 0) return;
    await this.em.execute(`delete from audit.compliance_position where org_unit_id = any(?::uuid[]) and installs = 0 and entitled = 0`, [sqlArray(unitIds)]);
  }

  private async rebuildDeferredIndexes(table: string): Promise<void> {
    const indexes = this.deferredIndexes.filter((d) => d.table === table);
    if (indexes.length === 0) return;
    this.deferredIndexes = this.deferredIndexes.filter((d) => d.table !== table);
    // The definitions are PostgreSQL's own (pg_indexes, pg_get_constraintdef), so they rebuild exactly what the
    // migrations created, names included.
    await this.em.execute([...indexes.map((d) => d.definition), `analyze audit.${table}`].join(';\n'));
  }

  /** Machines (ids from the registry's view) joining the scope, for the moment the engine reads them. */
  private async addToScope(machineIds: readonly string[]): Promise<void> {
    await this.em.execute(
      `insert into compliance_scope
       select u.id, m.org_unit_id, m.operator_person_id, coalesce(m.status = 'ACTIVE', false)
         from (select distinct unnest(?::uuid[]) as id) u left join registry_public.machine m on m.id = u.id
       on conflict do nothing`,
      [sqlArray(machineIds)],
    );
  }

  /**
   * Each recognized edition on each active machine of the scope once, in a temporary table that the four coverage
   * branches and the final insert all read; then the installs with the direct coverage of each (rule 2 a–d).
   */
  private installStatements(analyzeNeed: readonly string[]): string[] {
    return [
      `insert into compliance_need
       select distinct m.machine_id, m.org_unit_id, m.operator_person_id, ed.id, ed.product_id, ed.category, ed.licensable
         from compliance_scope m join audit.installation i on i.machine_id = m.machine_id
         join audit.software_title t on t.id = i.title_id and t.edition_id is not null and not t.ignored
         join registry_public.edition ed on ed.id = t.edition_id
        where m.active`,
      ...analyzeNeed,
      `with candidate as (
         select n.machine_id, n.edition_id, 1 as rank, 'DEVICE' as basis, e.id, e.created_at
           from compliance_need n join registry_public.assignment a on a.machine_id = n.machine_id and a.active
           join compliance_ent e on e.id = a.entitlement_id and e.metric <> 'PER_USER'
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
         union all
         select n.machine_id, n.edition_id, 2, 'USER', e.id, e.created_at
           from compliance_need n join registry_public.assignment a on a.person_id = n.operator_person_id and a.active
           join compliance_ent e on e.id = a.entitlement_id and e.metric = 'PER_USER'
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
         union all
         select n.machine_id, n.edition_id, 3, 'SITE', e.id, e.created_at
           from compliance_need n join registry_public.org_unit_ancestry an on an.unit_id = n.org_unit_id
           join compliance_ent e on e.org_unit_id = an.ancestor_id and e.metric = 'SITE'
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
         union all
         select n.machine_id, n.edition_id, 4, 'OEM', e.id, e.created_at
           from compliance_need n join compliance_ent e on e.type = 'OEM' and e.oem_machine_id = n.machine_id
           join compliance_cov c on c.edition_id = e.edition_id and c.covered_edition_id = n.edition_id
          where n.licensable
       ), best as (
         select distinct on (machine_id, edition_id) machine_id, edition_id, basis, id
           from candidate order by machine_id, edition_id, rank, created_at, id
       )
       insert into audit.compliance_install (machine_id, edition_id, product_id, category, org_unit_id, licensable, basis, entitlement_id)
       select n.machine_id, n.edition_id, n.product_id, n.category, n.org_unit_id, n.licensable,
              case when not n.licensable then 'FREE' else b.basis end, b.id
         from compliance_need n left join best b on b.machine_id = n.machine_id and b.edition_id = n.edition_id`,
    ];
  }

  /**
   * Products whose pooled deal can move: one of the machines now asks the pools for something else (an edition
   * installed or removed, a direct seat gained or lost, a move to another unit), or one of the product's
   * entitlements changed. Every other product keeps its deal (a deal is a function of the asks and the pools alone),
   * so the machines get back the pool seats they held, and the deal over the whole product is not run again.
   */
  private async productsToRedeal(inScope: string, changedEntitlementIds: readonly string[]): Promise<string[]> {
    const rows = await this.em.execute<Array<{ product_id: string }>>(
      `with now_asking as (
         select machine_id, product_id, org_unit_id, edition_id from audit.compliance_install where ${inScope} and licensable and basis is null
       ), before_asking as (
         select machine_id, product_id, org_unit_id, edition_id from compliance_pool_ask
       )
       select product_id from (select * from now_asking except select * from before_asking) added
       union
       select product_id from (select * from before_asking except select * from now_asking) removed
       union
       select ed.product_id from registry_public.entitlement e
         join compliance_cov c on c.edition_id = e.edition_id
         join registry_public.edition ed on ed.id = c.covered_edition_id
        where e.id = any(?::uuid[])`,
      [sqlArray(changedEntitlementIds)],
    );
    const redeal = rows.map((r) => r.product_id);
    await this.em.execute(
      `update audit.compliance_install ci set basis = 'POOL', entitlement_id = a.entitlement_id
         from compliance_pool_ask a
        where a.entitlement_id is not null and ci.machine_id = a.machine_id and ci.edition_id = a.edition_id
          and ci.licensable and ci.basis is null and a.product_id <> all(?::uuid[])`,
      [sqlArray(redeal)],
    );
    return redeal;
  }

  /**
   * Deals the seats of pooled entitlements for the products again over every machine that no direct seat covers
   * for them, and writes only the allocations that moved. Returns the machines whose pooled coverage changed and the entitlements whose seats moved. The
   * deal is a greedy pass over candidate (machine, entitlement) pairs in the order rule 2e fixes: it is inherently
   * sequential (a seat taken by an earlier machine is gone for a later one), so it runs here over the sorted pairs
   * PostgreSQL hands back.
   */
  private async redealPools(productIds: readonly string[] | 'ALL'): Promise<{ machineIds: string[]; entitlementIds: string[] }> {
    if (productIds !== 'ALL' && productIds.length === 0) return { machineIds: [], entitlementIds: [] };
    const onlyProducts = productIds === 'ALL' ? '' : 'and ed.product_id = any(?::uuid[])';
    const pooled = await this.em.execute<Array<{ product_id: string }>>(
      `select distinct ed.product_id from compliance_ent e join compliance_cov c on c.edition_id = e.edition_id
          join registry_public.edition ed on ed.id = c.covered_edition_id
         where e.allocation = 'POOLED' and e.metric not in ('SITE', 'PER_USER') ${onlyProducts}`,
      productIds === 'ALL' ? [] : [sqlArray(productIds)],
    );
    // Every product considered: those with pools are dealt, the others lose whatever pool seats they held.
    const products = sqlArray(productIds === 'ALL' ? pooled.map((p) => p.product_id) : productIds);
    const previous = await this.em.execute<Array<{ machine_id: string; product_id: string; entitlement_id: string }>>(
      `select distinct machine_id, product_id, entitlement_id from audit.compliance_install where basis = 'POOL' and product_id = any(?::uuid[])`,
      [products],
    );
    const pairs =
      pooled.length === 0
        ? []
        : await this.em.execute<Array<{ machine_id: string; product_id: string; entitlement_id: string; quantity: number }>>(
            `with need_edition as (
               select machine_id, product_id, org_unit_id, edition_id from audit.compliance_install
                where licensable and (basis is null or basis = 'POOL') and product_id = any(?::uuid[])
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
    const dealt = new Map<string, string>();
    for (const pair of pairs) {
      const need = `${pair.machine_id}/${pair.product_id}`;
      if (dealt.has(need)) continue;
      const left = seatsLeft.get(pair.entitlement_id) ?? pair.quantity;
      if (left <= 0) continue;
      seatsLeft.set(pair.entitlement_id, left - 1);
      dealt.set(need, pair.entitlement_id);
    }
    const before = new Map(previous.map((p) => [`${p.machine_id}/${p.product_id}`, p.entitlement_id]));
    const released = [...before.keys()].filter((need) => dealt.get(need) !== before.get(need));
    const granted = [...dealt.entries()].filter(([need, entitlementId]) => before.get(need) !== entitlementId);
    const split = (needs: readonly string[]) => [sqlArray(needs.map((n) => n.split('/')[0])), sqlArray(needs.map((n) => n.split('/')[1]))];
    if (released.length > 0) {
      await this.em.execute(
        `update audit.compliance_install ci set basis = null, entitlement_id = null
           from unnest(?::uuid[], ?::uuid[]) as d(machine_id, product_id)
          where ci.machine_id = d.machine_id and ci.product_id = d.product_id and ci.basis = 'POOL'`,
        split(released),
      );
    }
    if (granted.length > 0) {
      await this.em.execute(
        `update audit.compliance_install ci set basis = 'POOL', entitlement_id = d.entitlement_id
           from unnest(?::uuid[], ?::uuid[], ?::uuid[]) as d(machine_id, product_id, entitlement_id)
          where ci.machine_id = d.machine_id and ci.product_id = d.product_id and ci.licensable and (ci.basis is null or ci.basis = 'POOL')`,
        [...split(granted.map(([need]) => need)), sqlArray(granted.map(([, entitlementId]) => entitlementId))],
      );
    }
    // Seats the recomputed machines held before this batch (their rows were rewritten, so `previous` cannot show
    // them) and no longer hold, because the install that needed one is gone or a direct seat covers it now: their
    // pools' owners count one seat fewer.
    const vacated =
      productIds === 'ALL'
        ? []
        : await this.em.execute<Array<{ machine_id: string; product_id: string; entitlement_id: string }>>(
            `select distinct machine_id, product_id, entitlement_id from compliance_pool_ask where entitlement_id is not null and product_id = any(?::uuid[])`,
            [products],
          );
    return {
      machineIds: [...new Set([...released, ...granted.map(([need]) => need)].map((need) => need.split('/')[0]))],
      entitlementIds: [
        ...new Set([
          ...released.map((need) => before.get(need) as string),
          ...granted.map(([, entitlementId]) => entitlementId),
          ...vacated.filter((v) => dealt.get(`${v.machine_id}/${v.product_id}`) !== v.entitlement_id).map((v) => v.entitlement_id),
        ]),
      ],
    };
  }

  /** Each active machine's status per category (rule 3), as a statement without parameters. */
  private statusInsert(): string {
    return `insert into audit.compliance_machine_category (machine_id, category, org_unit_id, status)
       select m.machine_id, c.category, m.org_unit_id,
              case when i.installs is null then 'MISSING' when i.uncovered = 0 then 'LICENSED' else 'UNLICENSED' end
         from compliance_scope m
         cross join unnest(array[${ALL_CATEGORIES.map((c) => `'${c}'`).join(', ')}]) as c(category)
         left join (
           select ci.machine_id, ci.category, count(*) as installs, count(*) filter (where ci.basis is null) as uncovered
             from audit.compliance_install ci join compliance_scope s on s.machine_id = ci.machine_id and s.active
            group by ci.machine_id, ci.category
         ) i on i.machine_id = m.machine_id and i.category = c.category
        where m.active`;
  }
}

interface DeferredIndex {
  table: string;
  name: string;
  /** The statement that builds it again (an index's own definition, or the primary key's constraint). */
  definition: string;
  drop: string;
}

/** Every category gets a status, so a unit's rate in any category is defined (MISSING counts against it). */
const ALL_CATEGORIES: readonly string[] = Object.values(SoftwareCategory);
