import { IsolationLevel, type EntityManager } from '@mikro-orm/postgresql';
import { SoftwareCategory, sqlArray, TRACKED_CATEGORIES } from '@genuine/kit';
import { IS_EMBEDDED_DATABASE } from '../sql';
import { comparePairs, dealSeats, DealRepair, groupByNeed, mergeSorted, needOf, splitNeed, type PoolPair } from './pool-deal';

/**
 * The compliance engine (DESIGN → Compliance semantics, rules 1–7), as set-based SQL over the inventories and the
 * registry's published views. The full recompute (every machine, `recomputeAll`) and the incremental one (the
 * machines a change touched, `recomputeMachines`) run the same statements for each rule, which is what makes their
 * results identical (rule 7; the property test checks it). They differ in where results go and how unit figures
 * follow: fresh tables and a recount, or the live tables and deltas.
 *
 * Steps, for a set of machines M on the evaluation date:
 *  1. installs and direct coverage (rule 2 a–d), in one statement: each recognized edition on each machine of M,
 *     with its product, category and licensable flag, and the seat that covers it — a machine seat, the operator's
 *     seat, a SITE license of the unit or an ancestor, an OEM license bound to the machine: the first that applies,
 *     in that order, then the oldest entitlement;
 *  2. pooled coverage (rule 2 e): for every product that has a pool, the pool's seats are dealt out again over all
 *     machines still uncovered for it, nearest owning unit first, then the oldest entitlement, then machine id;
 *  3. each machine's status per category (rule 3), the per-unit counts (rules 4, 5) and positions (rule 6) of the
 *     units whose figures moved.
 */
export class ComplianceEngine {
  private prepared = false;
  /** Whether the scope tables hold an earlier call's machines (one engine can recompute several sets). */
  private scopeUsed = false;
  /**
   * Whether the per-install results, machine statuses and positions are being written into the fresh tables of a
   * full recompute, which replace the live ones at its end (`recomputeAll`), rather than into the live tables.
   */
  private fresh = false;
  /** How this engine's pool deals went: repaired for the scope's machines (`repairDeal`), or dealt again whole. */
  readonly poolDeals = { repaired: 0, dealt: 0 };
  private get installs(): string {
    return this.fresh ? 'audit.compliance_install_next' : 'audit.compliance_install';
  }
  private get statuses(): string {
    return this.fresh ? 'audit.compliance_machine_category_next' : 'audit.compliance_machine_category';
  }
  private get positions(): string {
    return this.fresh ? 'audit.compliance_position_next' : 'audit.compliance_position';
  }

  constructor(
    private readonly em: EntityManager,
    private readonly evaluationDate: string,
    private readonly options: ComplianceEngineOptions = {},
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
   *
   * The copy of entitlements and coverage is kept for the next small batch on the same session when the worker
   * says nothing it depends on changed since (`ComplianceEngineOptions.inputs`): copying them was a third of an
   * incremental update. The session records which copy it holds in INPUTS_SETTING, in the same transaction as
   * the copy, so a failed batch takes both back.
   */
  private async prepare(large: boolean): Promise<void> {
    if (this.prepared) return;
    // A utility statement takes no parameters; the date is checked to be a plain ISO date before it is inlined.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(this.evaluationDate)) throw new Error('evaluation date must be YYYY-MM-DD');
    const label = this.options.inputs?.label ?? '';
    if (!/^[0-9/-]*$/.test(label)) throw new Error('unexpected label for the copied inputs');
    // A large batch analyzes and indexes the copy: it always makes its own.
    const reuse = !large && this.options.inputs?.reuse === true;
    const on = `'${this.evaluationDate}'::date`;
    // One round trip. Indexes pay off only when the batch joins many machines against them.
    await this.em.execute(
      [
        // seniority: the entitlement's place in the "oldest first" order (created_at, then id) that breaks every tie.
        `create temp table if not exists compliance_ent (id uuid, edition_id uuid, org_unit_id uuid, quantity integer, metric text, type text,
           allocation text, created_at timestamptz, oem_machine_id uuid, seniority integer)`,
        `create temp table if not exists compliance_cov (edition_id uuid, covered_edition_id uuid)`,
        // The machines being recomputed, with what the engine needs of them: copied once so that every statement
        // joins a table the planner can estimate (the view's status is a cast it cannot).
        `create temp table if not exists compliance_scope (machine_id uuid primary key, org_unit_id uuid, operator_person_id uuid, active boolean not null)`,
        `create temp table if not exists compliance_pool_ask (machine_id uuid, product_id uuid, org_unit_id uuid, edition_id uuid, entitlement_id uuid)`,
        `create temp table if not exists compliance_left_unit (org_unit_id uuid)`,
        // The statuses the recomputed machines had before: what the unit counts lose (see applyStatusDeltas).
        `create temp table if not exists compliance_old_status (machine_id uuid, org_unit_id uuid, category text, status text)`,
        'truncate compliance_scope, compliance_pool_ask, compliance_left_unit, compliance_old_status',
        ...(reuse ? [] : this.copyInputs(on, large)),
        `select set_config('${INPUTS_SETTING}', '${label}', false)`,
      ].join(';\n'),
    );
    this.prepared = true;
  }

  /** Statements copying the entitlements active on the date and the coverage relation (see `prepare`). */
  private copyInputs(on: string, large: boolean): string[] {
    return [
      'truncate compliance_ent, compliance_cov',
      // Only the columns the engine reads: the copy and its statistics cost less.
      `insert into compliance_ent
         select id, edition_id, org_unit_id, quantity, metric, type, allocation, created_at, oem_machine_id, row_number() over (order by created_at, id)
           from registry_public.entitlement
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
    ];
  }

  /**
   * Recomputes everything, from nothing: the reference the incremental path must always agree with.
   *
   * The per-install results, the machine statuses and the positions are written into fresh tables, built like the
   * live ones, that replace them just before commit: dashboards keep reading the previous figures meanwhile instead
   * of waiting for the whole recompute behind a lock (a `truncate` would hold one until commit), and the bulk load
   * goes into tables without indexes or triggers, whose indexes are built once at the end — several times faster
   * than maintaining them row by row. (Positions were rewritten in place until every full recompute left a table's
   * worth of dead rows behind.) Unit figures are small; they are rewritten in place.
   */
  async recomputeAll(): Promise<{ machines: number; /** 2 when two backends shared the work (recomputeInHalves). */ backends: number }> {
    const replacements = await this.em.execute<Replacement[]>(REPLACEMENTS_SQL, [sqlArray(REPLACED_TABLES)]);
    const split = await this.runsOnTwoBackends();
    // Dropped first: a recompute that failed after its helper had committed into them leaves them (see recomputeInHalves).
    const createFresh = replacements.flatMap((r) => [`drop table if exists audit.${r.next}`, `create table audit.${r.next} (like audit.${r.table} including defaults including constraints)`]);
    // Split: the fresh tables must exist, committed, before either backend writes into them.
    if (split) await this.em.fork().transactional((other) => other.execute(createFresh.join(';\n')));
    await this.em.execute(
      [
        ...BATCH_SESSION_SETTINGS,
        ...(split ? [] : createFresh),
        // The machines marked dirty so far, each mark as the version seen, before anything is read: their changes
        // are in what the recompute reads, so those marks go at the end. A mark written again meanwhile (a newer
        // inventory, which this recompute may not see) is a new version and stays for the worker.
        'create temp table if not exists compliance_dirty_seen (machine_id uuid, version xid)',
        'truncate compliance_dirty_seen',
        'insert into compliance_dirty_seen select machine_id, xmin from audit.compliance_dirty_machine',
      ].join(';\n'),
    );
    // The helper reads what this transaction reads: the same snapshot, taken after the marks above were.
    const snapshot = split ? (await this.em.execute<Array<{ id: string }>>('select pg_export_snapshot() as id'))[0].id : null;
    this.fresh = true;
    try {
      await this.prepare(true);
      await this.scopeEveryMachine();
      const [seatsBy] = await this.em.execute<Array<{ person: boolean; unit: boolean }>>(
        `select exists (select 1 from compliance_ent where metric = 'PER_USER') as person, exists (select 1 from compliance_ent where metric = 'SITE') as unit`,
      );
      if (snapshot === null) {
        await this.em.execute(this.installInsert('ALL', seatsBy));
        await this.redealPools('ALL');
        await this.em.execute(this.statusInsert());
        await this.em.execute(this.positionsInsert());
      } else await this.recomputeInHalves(snapshot, seatsBy);
      const [{ machines }] = await this.em.execute<Array<{ machines: number }>>(`select count(*)::int as machines from compliance_scope`);
      // Indexes once the fresh tables hold their rows (the pool deal's few updates find theirs by scanning).
      await this.em.execute(replacements.flatMap((r) => [...r.build, `analyze audit.${r.next}`]).join(';\n'));
      // Unit figures are counted again from the fresh statuses.
      await this.em.execute(['delete from audit.compliance_unit_category', 'delete from audit.compliance_unit'].join(';\n'));
      const units = await this.em.execute<Array<{ id: string; machines: boolean }>>(
        `select id, exists (select 1 from compliance_scope s where s.active and s.org_unit_id = u.id) as machines from registry_public.org_unit u`,
      );
      await this.refreshUnits(
        units.filter((u) => u.machines).map((u) => u.id),
        units.map((u) => u.id),
      );
      await this.em.execute(`delete from audit.compliance_dirty_machine d using compliance_dirty_seen s where d.machine_id = s.machine_id and d.xmin = s.version`);
      // The swap, last: from here to the commit is the only time readers wait, for a drop and a few renames.
      await this.em.execute(replacements.flatMap((r) => [`drop table audit.${r.table}`, `alter table audit.${r.next} rename to ${r.table}`, ...r.rename, ...r.triggers]).join(';\n'));
      return { machines, backends: split ? 2 : 1 };
    } finally {
      this.fresh = false;
    }
  }

  /** The scope of a full recompute: every registered machine (those of one half, for the helper). */
  private async scopeEveryMachine(range: MachineRange = {}): Promise<void> {
    await this.em.execute(
      [
        ...(this.scopeUsed ? ['truncate compliance_scope, compliance_pool_ask, compliance_left_unit, compliance_old_status'] : []),
        `insert into compliance_scope select id, org_unit_id, operator_person_id, status = 'ACTIVE' from registry_public.machine where true ${inMachineRangeSql('id', range)}`,
        'analyze compliance_scope',
      ].join(';\n'),
    );
    this.scopeUsed = true;
  }

  /**
   * Whether this full recompute shares its work with a helper on a second backend (recomputeInHalves). Only on a
   * PostgreSQL server (PGlite is one backend: a second transaction would wait for this one forever), with a second
   * pooled connection to spare, and with enough machines for the second core to matter.
   */
  private async runsOnTwoBackends(): Promise<boolean> {
    const splitAt = this.options.splitFullRecomputeAt ?? SPLIT_FULL_RECOMPUTE_AT;
    const poolMax = (this.em.config.get('pool') as { max?: number } | undefined)?.max ?? 1;
    if (poolMax < 2) return false;
    const [row] = await this.em.execute<Array<{ machines: number; embedded: boolean }>>(
      `select (select count(*)::int from registry_public.machine) as machines, ${IS_EMBEDDED_DATABASE} as embedded`,
    );
    return !row.embedded && row.machines >= splitAt;
  }

  /**
   * A full recompute's per-install results, pooled seats, machine statuses and the install side of positions,
   * computed by two backends at once: machines whose id sorts below MACHINE_ID_MIDPOINT here, the others in a
   * helper transaction on another connection that imports this transaction's snapshot, so that both halves read the
   * same inventories, seats and catalogue (ids are random uuids: the halves are even). PostgreSQL runs none of these
   * statements in parallel itself (they write), and they are most of a recompute.
   *
   * Pools span both halves, so the deal sits between two phases: each half loads its installs and lists its
   * candidate pairs; Node merges the two lists in rule 2e's order and deals once; each half then writes its own
   * pooled seats, counts its statuses and its positions. The helper hands its position counts over and commits its
   * rows into the fresh tables, still unknown to readers; were this transaction to fail, those are dropped by the
   * next full recompute.
   */
  private async recomputeInHalves(snapshot: string, seatsBy: { person: boolean; unit: boolean }): Promise<void> {
    if (!/^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/i.test(snapshot)) throw new Error('unexpected snapshot id');
    const pooled = await this.pooledProducts('ALL');
    const upperPairs = deferred<PoolPair[]>();
    const dealt = deferred<Map<string, string>>();
    const upper = this.em.fork().transactional(
      async (other) => {
        // First statement of the transaction, as PostgreSQL requires.
        await other.execute(`set transaction snapshot '${snapshot}'`);
        const half = new ComplianceEngine(other, this.evaluationDate, { splitFullRecomputeAt: this.options.splitFullRecomputeAt });
        half.fresh = true;
        await other.execute(BATCH_SESSION_SETTINGS.join(';\n'));
        await half.prepare(true);
        await half.scopeEveryMachine(UPPER_HALF);
        upperPairs.resolve(await half.loadHalf(UPPER_HALF, seatsBy, pooled));
        return half.finishHalf(UPPER_HALF, await dealt.promise);
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ },
    );
    // Neither side waits for the other's part once that side has failed.
    upper.catch((err) => upperPairs.reject(err));
    const lower = (async () => {
      const pairs = await this.loadHalf(LOWER_HALF, seatsBy, pooled);
      dealt.resolve(dealSeats(mergeSorted(pairs, await upperPairs.promise, comparePairs)));
      return this.finishHalf(LOWER_HALF, await dealt.promise);
    })();
    lower.catch((err) => dealt.reject(err));
    // Both settle before either error is reported: the helper must not outlive the recompute that started it.
    const [own, helper] = await Promise.allSettled([lower, upper]);
    if (own.status === 'rejected') throw own.reason;
    if (helper.status === 'rejected') throw helper.reason;
    // A unit's installs of an edition can lie in both halves: summed.
    const counts = [...own.value, ...helper.value];
    await this.em.execute(
      `insert into ${this.positions} (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
       select org_unit_id, edition_id, sum(installs), sum(covered), 0, 0, 0
         from unnest(?::uuid[], ?::uuid[], ?::int[], ?::int[]) as c(org_unit_id, edition_id, installs, covered)
        group by org_unit_id, edition_id`,
      [sqlArray(counts.map((c) => c.org_unit_id)), sqlArray(counts.map((c) => c.edition_id)), sqlArray(counts.map((c) => c.installs)), sqlArray(counts.map((c) => c.covered))],
    );
  }

  /** A half's install results (rule 2 a–d), and the candidate pairs of its machines for the pools (rule 2e). */
  private async loadHalf(range: MachineRange, seatsBy: { person: boolean; unit: boolean }, pooled: readonly string[]): Promise<PoolPair[]> {
    await this.em.execute(this.installInsert('ALL', seatsBy, range));
    return this.candidatePairs(pooled, range);
  }

  /** A half's pooled seats, from the deal over both halves, then its machines' statuses (rule 3) and position counts. */
  private async finishHalf(range: MachineRange, dealt: ReadonlyMap<string, string>): Promise<PositionCount[]> {
    await this.grantPoolSeats([...dealt].filter(([need]) => inMachineRange(splitNeed(need)[0], range)));
    await this.em.execute(this.statusInsert(range));
    return this.em.execute<PositionCount[]>(this.positionCounts(range));
  }

  /**
   * Recomputes the given machines (registered, moved, retired, re-inventoried, seats changed) and everything their
   * change can move: pools of their products, the figures of the units they are in or left, and those of the units
   * owning seats that moved. The machines are put in a temporary table that every statement joins, rather than
   * passed as an array to each.
   */
  async recomputeMachines(machineIds: readonly string[], changed: { entitlementIds?: readonly string[]; unitIds?: readonly string[] } = {}): Promise<number> {
    if (machineIds.length === 0) {
      await this.refreshUnits([], changed.unitIds ?? []);
      return 0;
    }
    await this.prepare(machineIds.length > 1000);
    // Statements without parameters are sent together, one round trip each group: an incremental update is a few
    // dozen small statements, and their round trips were most of its time. Every temporary table is analyzed once
    // filled: without statistics the planner takes a handful of machines for thousands and scans whole tables.
    const script = (statements: readonly string[]) => this.em.execute(statements.join(';\n'));
    if (this.scopeUsed) await script(['truncate compliance_scope, compliance_pool_ask, compliance_left_unit, compliance_old_status']);
    this.scopeUsed = true;
    await this.addToScope(machineIds);
    const inScope = `machine_id in (select machine_id from compliance_scope)`;
    await script([
      'analyze compliance_scope',
      // Units whose figures can move: where the machines are now and where they were (moves, retirements).
      `insert into compliance_left_unit select distinct org_unit_id from audit.compliance_machine_category where ${inScope}`,
      // What the machines asked of pools before: every licensable install no direct seat covered, with the pool
      // seat it held. If a product's asks are unchanged and none of its pools changed, its deal cannot change.
      `insert into compliance_pool_ask select machine_id, product_id, org_unit_id, edition_id, entitlement_id
         from audit.compliance_install where ${inScope} and licensable and (basis is null or basis = 'POOL')`,
      'analyze compliance_pool_ask',
      `delete from audit.compliance_install where ${inScope}`,
      this.deleteStatuses(inScope),
      this.installInsert('SCOPE'),
    ]);
    const changedEntitlements = changed.entitlementIds ?? [];
    const pools = await this.redealPools(await this.productsToRedeal(inScope, changedEntitlements), { poolsUnchanged: changedEntitlements.length === 0 });
    if (pools.machineIds.length > 0) {
      await this.addToScope(pools.machineIds);
      await this.em.execute(this.deleteStatuses(inScope));
    }
    // Figures are kept per unit alone (subtrees are summed when read): machine figures move in the units the
    // machines are in or left; seat figures in the units owning entitlements that changed, and the pooled count
    // of the entitlements whose pool seats moved.
    const units = await this.em.execute<Array<{ id: string; machines: boolean }>>(
      `with status as (${this.statusInsert()})
       select org_unit_id as id, true as machines from compliance_scope where org_unit_id is not null
       union select org_unit_id, true from compliance_left_unit
       union select unnest(?::uuid[]), false`,
      [sqlArray(changed.unitIds ?? [])],
    );
    const seatUnits = units.filter((u) => !u.machines).map((u) => u.id);
    // A few machines changed: their units' counts move by what those machines lost and gained, rather than being
    // counted again over every machine of the unit (which grew with the unit: most of an update at 100,000).
    const machineUnits = units.filter((u) => u.machines).map((u) => u.id);
    await this.applyStatusDeltas();
    await this.refreshUnits([], seatUnits);
    await this.refreshPooled(pools.entitlementIds);
    await this.pruneEmptyPositions(machineUnits);
    return new Set([...machineIds, ...pools.machineIds]).size;
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
           from ${this.statuses} where org_unit_id = any(?::uuid[])
          group by org_unit_id, category`,
        [units],
      );
      await this.em.execute(`delete from audit.compliance_unit where org_unit_id = any(?::uuid[])`, [units]);
      await this.em.execute(
        `insert into audit.compliance_unit (org_unit_id, machine_count, fully_licensed)
         select org_unit_id, count(*), count(*) filter (where licensed = ?)
           from (select machine_id, org_unit_id, count(*) filter (where status = 'LICENSED' and category = any(?::text[])) as licensed
                   from ${this.statuses} where org_unit_id = any(?::uuid[]) group by machine_id, org_unit_id) m
          group by org_unit_id`,
        [TRACKED_CATEGORIES.length, tracked, units],
      );
    }
    if (seatUnitIds.length > 0) {
      await this.em.execute(
        `update ${this.positions} set entitled = 0, assigned = 0, pooled = 0
          where org_unit_id = any(?::uuid[]) and (entitled, assigned, pooled) <> (0, 0, 0)`,
        [seats],
      );
      await this.em.execute(
        `insert into ${this.positions} as p (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
         with owned as (select id, org_unit_id, edition_id, quantity from compliance_ent where org_unit_id = any(?::uuid[]))
         select e.org_unit_id, e.edition_id, 0, 0, sum(e.quantity), sum(coalesce(a.n, 0)), sum(coalesce(pl.n, 0))
           from owned e
           left join (select entitlement_id, count(*) as n from registry_public.assignment
                       where active and entitlement_id in (select id from owned) group by entitlement_id) a on a.entitlement_id = e.id
           left join (select entitlement_id, count(distinct machine_id) as n from ${this.installs}
                       where basis = 'POOL' and entitlement_id in (select id from owned) group by entitlement_id) pl on pl.entitlement_id = e.id
          group by e.org_unit_id, e.edition_id
         on conflict (org_unit_id, edition_id) do update set entitled = excluded.entitled, assigned = excluded.assigned, pooled = excluded.pooled`,
        [seats],
      );
    }
    await this.pruneEmptyPositions([...new Set([...machineUnitIds, ...seatUnitIds])]);
  }

  /**
   * Counts again the pooled seats of the positions the entitlements count in (their owner unit and edition), when
   * only pool seats moved: the unit's other seat figures cannot have, and recounting them (`refreshUnits`) read
   * every assignment of every entitlement the unit owns, most of a batch while a fleet reported. Such a position
   * exists: the unit owns seats of the edition.
   */
  private async refreshPooled(entitlementIds: readonly string[]): Promise<void> {
    if (entitlementIds.length === 0) return;
    await this.em.execute(
      `with position as (select distinct org_unit_id, edition_id from compliance_ent where id = any(?::uuid[])
       ), owned as (
         select e.id, e.org_unit_id, e.edition_id from compliance_ent e join position p on p.org_unit_id = e.org_unit_id and p.edition_id = e.edition_id
       ), counted as (
         select o.org_unit_id, o.edition_id, coalesce(sum(pl.n), 0)::int as pooled
           from owned o
           left join (select entitlement_id, count(distinct machine_id) as n from ${this.installs}
                       where basis = 'POOL' and entitlement_id in (select id from owned) group by entitlement_id) pl on pl.entitlement_id = o.id
          group by o.org_unit_id, o.edition_id
       )
       update ${this.positions} p set pooled = c.pooled from counted c
        where p.org_unit_id = c.org_unit_id and p.edition_id = c.edition_id and p.pooled <> c.pooled`,
      [sqlArray(entitlementIds)],
    );
  }

  /** A position exists while the unit has installs of the edition or owns seats of it. */
  private async pruneEmptyPositions(unitIds: readonly string[]): Promise<void> {
    if (unitIds.length === 0) return;
    await this.em.execute(`delete from ${this.positions} where org_unit_id = any(?::uuid[]) and installs = 0 and entitled = 0`, [sqlArray(unitIds)]);
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
   * Each recognized edition on each active machine of the scope once, with its direct coverage (rule 2 a–d). Seats
   * on a machine (and OEM bindings) are keyed like installs, by machine and edition, so one aggregation both folds
   * titles of the same edition into one install and finds the install's best machine seat: no separate
   * de-duplication, no join of millions of installs with millions of seats. Seats are ranked by a number that sorts
   * like (basis rank, oldest entitlement): the basis rank times 10^9 plus the entitlement's seniority.
   * `'ALL'` reads every installation (the fresh tables of a full recompute); `'SCOPE'` those of the scope's machines.
   */
  private installInsert(
    machines: 'ALL' | 'SCOPE',
    seatsBy: { person: boolean; unit: boolean } = { person: true, unit: true },
    /** With 'ALL': only the machines of one half (see recomputeInHalves). */
    range: MachineRange = {},
  ): string {
    const ofScope = (column: string) => (machines === 'ALL' ? inMachineRangeSql(column, range) : `and ${column} in (select machine_id from compliance_scope where active)`);
    const pick = (basis: (typeof BASES)[number]) => `${BASES.indexOf(basis) + 1}::bigint * ${PICK_BASE} + e.seniority`;
    return `insert into ${this.installs} (machine_id, edition_id, product_id, category, org_unit_id, licensable, basis, entitlement_id)
       with edition as materialized (
         -- the catalogue view joins two tables: read once here, joined once per install below
         select id, product_id, category, licensable from registry_public.edition
       ), installed_or_seated as (
         select machine_id, edition_id, bool_or(pick is null) as installed, min(pick) as pick from (
           select i.machine_id, t.edition_id, null::bigint as pick
             from audit.installation i join audit.software_title t on t.id = i.title_id and t.edition_id is not null and not t.ignored
            where true ${ofScope('i.machine_id')}
           union all
           select a.machine_id, c.covered_edition_id, ${pick('DEVICE')}
             from registry_public.assignment a join compliance_ent e on e.id = a.entitlement_id and e.metric <> 'PER_USER'
             join compliance_cov c on c.edition_id = e.edition_id
            where a.active and a.machine_id is not null ${ofScope('a.machine_id')}
           union all
           select e.oem_machine_id, c.covered_edition_id, ${pick('OEM')}
             from compliance_ent e join compliance_cov c on c.edition_id = e.edition_id
            where e.type = 'OEM' and e.oem_machine_id is not null ${ofScope('e.oem_machine_id')}
         ) install_or_seat group by machine_id, edition_id
       ), user_seat as (
         -- seats held by operators and site licenses, joined below only when there are any (each join reads every
         -- install; an unreferenced CTE is never run)
         select a.person_id, c.covered_edition_id as edition_id, min(${pick('USER')}) as pick
           from registry_public.assignment a join compliance_ent e on e.id = a.entitlement_id and e.metric = 'PER_USER'
           join compliance_cov c on c.edition_id = e.edition_id
          where a.active and a.person_id is not null
            ${machines === 'ALL' ? '' : 'and a.person_id in (select operator_person_id from compliance_scope where active)'}
          group by a.person_id, c.covered_edition_id
       ), site_seat as (
         select an.unit_id, c.covered_edition_id as edition_id, min(${pick('SITE')}) as pick
           from compliance_ent e join compliance_cov c on c.edition_id = e.edition_id
           join registry_public.org_unit_ancestry an on an.ancestor_id = e.org_unit_id
          where e.metric = 'SITE'
          group by an.unit_id, c.covered_edition_id
       ), picked as (
         select n.machine_id, n.edition_id, ed.product_id, ed.category, m.org_unit_id, ed.licensable,
                case when ed.licensable then least(n.pick, ${seatsBy.person ? 'u.pick' : 'null'}, ${seatsBy.unit ? 's.pick' : 'null'}) end as pick
           from installed_or_seated n join compliance_scope m on m.machine_id = n.machine_id and m.active
           join edition ed on ed.id = n.edition_id
           ${seatsBy.person ? 'left join user_seat u on u.person_id = m.operator_person_id and u.edition_id = n.edition_id' : ''}
           ${seatsBy.unit ? 'left join site_seat s on s.unit_id = m.org_unit_id and s.edition_id = n.edition_id' : ''}
          where n.installed
       )
       select p.machine_id, p.edition_id, p.product_id, p.category, p.org_unit_id, p.licensable,
              case when not p.licensable then 'FREE' else (array[${BASES.map((b) => `'${b}'`).join(', ')}])[(p.pick / ${PICK_BASE})::int] end,
              -- seniority numbers the entitlements from 1: an index into them, not a join over every install
              (select array_agg(id order by seniority) from compliance_ent)[(p.pick % ${PICK_BASE})::int]
         from picked p`;
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
   * for them, and writes only the allocations that moved. Returns the machines whose pooled coverage changed and the
   * entitlements whose seats moved. The deal is a greedy pass over candidate (machine, entitlement) pairs in the
   * order rule 2e fixes: it is inherently sequential (a seat taken by an earlier machine is gone for a later one), so
   * it runs here over the sorted pairs PostgreSQL hands back.
   *
   * `poolsUnchanged` (no entitlement changed in the batch): the previous deal is repaired for the scope's machines
   * instead (`repairDeal`), when it can be. Listing every candidate of a product was most of an incremental batch
   * while a fleet reports for the first time: every new machine changes the asks of most pooled products.
   */
  private async redealPools(productIds: readonly string[] | 'ALL', options: { poolsUnchanged?: boolean } = {}): Promise<PoolDealChanges> {
    if (productIds !== 'ALL' && productIds.length === 0) return { machineIds: [], entitlementIds: [] };
    const pooled = await this.pooledProducts(productIds);
    if (options.poolsUnchanged && productIds !== 'ALL' && !this.fresh) {
      const repaired = await this.repairDeal(pooled);
      if (repaired) {
        this.poolDeals.repaired += 1;
        return repaired;
      }
    }
    this.poolDeals.dealt += 1;
    // Every product considered: those with pools are dealt, the others lose whatever pool seats they held.
    const products = sqlArray(productIds === 'ALL' ? pooled : productIds);
    // A full recompute's fresh table has no pool seat yet.
    const previous = this.fresh
      ? []
      : await this.em.execute<PoolSeat[]>(
          `select distinct machine_id, product_id, entitlement_id from ${this.installs} where licensable and basis = 'POOL' and product_id = any(?::uuid[])`,
          [products],
        );
    const dealt = dealSeats(await this.candidatePairs(pooled));
    const before = new Map(previous.map((p) => [needOf(p), p.entitlement_id]));
    const released = [...before.keys()].filter((need) => dealt.get(need) !== before.get(need));
    const granted = [...dealt.entries()].filter(([need, entitlementId]) => before.get(need) !== entitlementId);
    await this.releasePoolSeats(released);
    await this.grantPoolSeats(granted);
    // Seats the recomputed machines held before this batch (their rows were rewritten, so `previous` cannot show
    // them) and no longer hold, because the install that needed one is gone or a direct seat covers it now: their
    // pools' owners count one seat fewer.
    const vacated = productIds === 'ALL' ? [] : await this.vacatedSeats(productIds);
    return {
      machineIds: [...new Set([...released, ...granted.map(([need]) => need)].map((need) => splitNeed(need)[0]))],
      entitlementIds: [
        ...new Set([
          ...released.map((need) => before.get(need) as string),
          ...granted.map(([, entitlementId]) => entitlementId),
          ...vacated.filter((v) => dealt.get(needOf(v)) !== v.entitlement_id).map((v) => v.entitlement_id),
        ]),
      ],
    };
  }

  /**
   * The deal of rule 2e brought up to date for the scope's machines alone, when no pool changed: their needs arrive
   * (`DealRepair`: proposing down their lists, turning away holders that come after them in the rule's order) and
   * the seats they held before are vacated. The candidates listed are the scope's and those of the holders turned
   * away, not those of every machine of the products. Null when it cannot be done so: a seat vacated in a pool that
   * was full (who the pool turned away, and would take now, only the whole deal knows), a chain of turned-away
   * holders longer than MAX_REPAIR_ROUNDS, or holders that do not look like a deal. The caller deals them again.
   */
  private async repairDeal(pooled: readonly string[]): Promise<PoolDealChanges | null> {
    if (pooled.length === 0) return { machineIds: [], entitlementIds: [] };
    const vacated = await this.vacatedSeats(pooled);
    const repair = new DealRepair(groupByNeed(await this.candidatePairs(pooled, {}, 'SCOPE')));
    if (!(await this.loadPools(repair, [...new Set(vacated.map((v) => v.entitlement_id))]))) return null;
    const vacatedPerPool = new Map<string, number>();
    for (const v of vacated) vacatedPerPool.set(v.entitlement_id, (vacatedPerPool.get(v.entitlement_id) ?? 0) + 1);
    for (const [id, seats] of vacatedPerPool) {
      const pool = repair.pool(id);
      if (!pool || pool.held + seats >= pool.quantity) return null;
    }
    for (let round = 0; repair.hasWork(); round += 1) {
      if (round === MAX_REPAIR_ROUNDS) return null;
      const turnedAway = repair.listsToLoad();
      if (turnedAway.length > 0 && !repair.addLists(await this.candidatePairs(pooled, {}, turnedAway))) return null;
      if (!(await this.loadPools(repair, repair.poolsToLoad()))) return null;
      repair.step();
    }
    const granted = [...repair.seats].flatMap(([need, pool]) => (pool !== null && pool !== repair.before.get(need) ? [[need, pool] as const] : []));
    await this.releasePoolSeats([...repair.before.keys()].filter((need) => repair.seats.get(need) === null));
    await this.grantPoolSeats(granted);
    return {
      machineIds: [...new Set([...repair.seats.keys()].map((need) => splitNeed(need)[0]))],
      entitlementIds: [...new Set([...vacated.map((v) => v.entitlement_id), ...repair.before.values(), ...granted.map(([, pool]) => pool)])],
    };
  }

  /** The pool seats the scope's machines held before this batch, for the given products. */
  private vacatedSeats(productIds: readonly string[]): Promise<PoolSeat[]> {
    return this.em.execute<PoolSeat[]>(
      `select distinct machine_id, product_id, entitlement_id from compliance_pool_ask where entitlement_id is not null and product_id = any(?::uuid[])`,
      [sqlArray(productIds)],
    );
  }

  /**
   * Gives the repair the pools' sizes and current holders, each holder as the pair by which it holds its seat (its
   * place in rule 2e's order). False when a holder is not under the pool's owner: not a deal this engine made.
   */
  private async loadPools(repair: DealRepair, ids: readonly string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    const rows = await this.em.execute<Array<Omit<PoolPair, 'machine_id' | 'product_id' | 'depth'> & { machine_id: string | null; product_id: string; depth: number | null }>>(
      `select e.id as entitlement_id, e.quantity::int as quantity, e.seniority::int as seniority,
              h.machine_id, h.product_id, an.depth::int as depth
         from compliance_ent e
         left join (select distinct machine_id, product_id, entitlement_id, org_unit_id from ${this.installs}
                     where basis = 'POOL' and entitlement_id = any(?::uuid[])) h on h.entitlement_id = e.id
         left join registry_public.org_unit_ancestry an on an.unit_id = h.org_unit_id and an.ancestor_id = e.org_unit_id
        where e.id = any(?::uuid[])`,
      [sqlArray(ids), sqlArray(ids)],
    );
    const pools = new Map<string, { quantity: number; holders: PoolPair[] }>();
    for (const row of rows) {
      const pool = pools.get(row.entitlement_id) ?? { quantity: row.quantity, holders: [] };
      pools.set(row.entitlement_id, pool);
      if (row.machine_id === null) continue; // a pool nobody holds a seat of
      if (row.depth === null) return false;
      pool.holders.push({ machine_id: row.machine_id, product_id: row.product_id, entitlement_id: row.entitlement_id, quantity: row.quantity, depth: row.depth, seniority: row.seniority });
    }
    for (const [id, pool] of pools) repair.addPool(id, pool.quantity, pool.holders);
    // A pool proposed to that is not among the active entitlements: the repair cannot go on.
    return ids.every((id) => pools.has(id));
  }

  /** Takes the pool seats of the needs (`machine/product`) back. */
  private async releasePoolSeats(needs: readonly string[]): Promise<void> {
    if (needs.length === 0) return;
    await this.em.execute(
      `update ${this.installs} ci set basis = null, entitlement_id = null
         from unnest(?::uuid[], ?::uuid[]) as d(machine_id, product_id)
        where ci.machine_id = d.machine_id and ci.product_id = d.product_id and ci.basis = 'POOL'`,
      needArrays(needs),
    );
  }

  /** The products some pooled entitlement covers, of those given. */
  private async pooledProducts(productIds: readonly string[] | 'ALL'): Promise<string[]> {
    const rows = await this.em.execute<Array<{ product_id: string }>>(
      `select distinct ed.product_id from compliance_ent e join compliance_cov c on c.edition_id = e.edition_id
          join registry_public.edition ed on ed.id = c.covered_edition_id
         where e.allocation = 'POOLED' and e.metric not in ('SITE', 'PER_USER') ${productIds === 'ALL' ? '' : 'and ed.product_id = any(?::uuid[])'}`,
      productIds === 'ALL' ? [] : [sqlArray(productIds)],
    );
    return rows.map((r) => r.product_id);
  }

  /**
   * The (machine, pool) pairs the deal of rule 2e walks, in its order (`comparePairs`): for each machine of the
   * range and each of the pooled products, the pools of the machine's unit or an ancestor that cover every edition
   * of the product no direct seat covers on it.
   */
  private async candidatePairs(
    pooled: readonly string[],
    range: MachineRange = {},
    /** Only the needs of the scope's machines, or only these needs (`machine/product`). */
    needs: 'SCOPE' | readonly string[] | null = null,
  ): Promise<PoolPair[]> {
    if (pooled.length === 0) return [];
    const ofNeeds =
      needs === null
        ? ''
        : needs === 'SCOPE'
          ? 'and machine_id in (select machine_id from compliance_scope)'
          : 'and (machine_id, product_id) in (select * from unnest(?::uuid[], ?::uuid[]))';
    const needParams = needs === null || needs === 'SCOPE' ? [] : needArrays(needs);
    return this.em.execute<PoolPair[]>(
      `with need_edition as (
         select machine_id, product_id, org_unit_id, edition_id from ${this.installs}
          where licensable and (basis is null or basis = 'POOL') and product_id = any(?::uuid[]) ${ofNeeds} ${inMachineRangeSql('machine_id', range)}
       ), pool as (
         select e.id, e.org_unit_id, e.edition_id, e.quantity, e.seniority from compliance_ent e
          where e.allocation = 'POOLED' and e.metric not in ('SITE', 'PER_USER')
       ), pair as (
         -- a pool is a candidate for a need when it covers every uncovered edition of the product on the machine
         select ne.machine_id, ne.product_id, p.id as entitlement_id, an.depth, count(*) as covered
           from need_edition ne
           join registry_public.org_unit_ancestry an on an.unit_id = ne.org_unit_id
           join pool p on p.org_unit_id = an.ancestor_id
           join compliance_cov c on c.edition_id = p.edition_id and c.covered_edition_id = ne.edition_id
          group by ne.machine_id, ne.product_id, p.id, an.depth
       ), need as (
         -- how many uncovered editions of the product each machine has, for the needs some pool could take:
         -- counted over those alone, most needs have no candidate pool at all
         select ne.machine_id, ne.product_id, count(*) as n from need_edition ne
          where (ne.machine_id, ne.product_id) in (select machine_id, product_id from pair)
          group by ne.machine_id, ne.product_id
       )
       select pr.machine_id, pr.product_id, pr.entitlement_id, p.quantity::int as quantity, pr.depth::int as depth, p.seniority::int as seniority
         from pair pr join need n on n.machine_id = pr.machine_id and n.product_id = pr.product_id and n.n = pr.covered
         join pool p on p.id = pr.entitlement_id
        order by pr.depth, p.seniority, pr.machine_id, pr.product_id`,
      [sqlArray(pooled), ...needParams],
    );
  }

  /** Gives the dealt needs (`machine/product` to entitlement) their pool seat. */
  private async grantPoolSeats(granted: ReadonlyArray<readonly [string, string]>): Promise<void> {
    if (granted.length === 0) return;
    await this.em.execute(
      `update ${this.installs} ci set basis = 'POOL', entitlement_id = d.entitlement_id
         from unnest(?::uuid[], ?::uuid[], ?::uuid[]) as d(machine_id, product_id, entitlement_id)
        where ci.machine_id = d.machine_id and ci.product_id = d.product_id and ci.licensable and (ci.basis is null or ci.basis = 'POOL')`,
      [...needArrays(granted.map(([need]) => need)), sqlArray(granted.map(([, entitlementId]) => entitlementId))],
    );
  }

  /** Per unit and edition, the licensable installs of the fresh table and how many of them are covered (a half's). */
  private positionCounts(range: MachineRange = {}): string {
    return `select org_unit_id, edition_id, count(*)::int as installs, (count(*) filter (where basis is not null))::int as covered
              from ${this.installs} where licensable ${inMachineRangeSql('machine_id', range)} group by org_unit_id, edition_id`;
  }

  /**
   * A full recompute's fresh positions, install side: outside a full recompute it follows compliance_install by
   * triggers, which the fresh table has none of while it loads. The seat side is counted by `refreshUnits`.
   */
  private positionsInsert(): string {
    return `insert into ${this.positions} (org_unit_id, edition_id, installs, covered, entitled, assigned, pooled)
            select org_unit_id, edition_id, installs, covered, 0, 0, 0 from (${this.positionCounts()}) c`;
  }

  /** Each active machine's status per category (rule 3), as a statement without parameters (a half's, with a range). */
  private statusInsert(range: MachineRange = {}): string {
    const categories = `array[${ALL_CATEGORIES.map((c) => `'${c}'`).join(', ')}]::text[]`;
    // Per machine, one bit per category it has installs in, and one per category with an install nothing covers:
    // grouping by machine alone keeps a hash table of machines, not of machines × categories (4x faster at 100,000).
    return `insert into ${this.statuses} (machine_id, category, org_unit_id, status)
       select m.machine_id, c.category, m.org_unit_id,
              case when coalesce(i.installed, 0) & c.bit = 0 then 'MISSING' when i.uncovered & c.bit = 0 then 'LICENSED' else 'UNLICENSED' end
         from compliance_scope m
         cross join (select category, 1 << (n - 1)::int as bit from unnest(${categories}) with ordinality as u(category, n)) c
         left join (
           select machine_id, bit_or(bit) as installed, bit_or(case when basis is null then bit else 0 end) as uncovered
             from (select ci.machine_id, ci.basis, 1 << (array_position(${categories}, ci.category::text) - 1) as bit
                     from ${this.installs} ci ${this.fresh ? '' : 'join compliance_scope s on s.machine_id = ci.machine_id and s.active' /* the fresh table holds active machines only */}
                    where true ${inMachineRangeSql('ci.machine_id', range)}) ci
            group by machine_id
         ) i on i.machine_id = m.machine_id
        where m.active ${inMachineRangeSql('m.machine_id', range)}`;
  }
}

export interface ComplianceEngineOptions {
  /** Machines from which a full recompute on a server shares its work with a second backend (default 10,000). */
  splitFullRecomputeAt?: number;
  /**
   * For an incremental batch (the worker knows what changed): `reuse` when the session's copy of entitlements and
   * coverage from an earlier batch is still right, and the `label` to record the copy this batch leaves under
   * (digits, dashes and slashes). Without it, the copy is made and recorded as no one's.
   */
  inputs?: { reuse: boolean; label: string };
}

/** The session setting naming the copy of entitlements and coverage a session's temporary tables hold. */
export const INPUTS_SETTING = 'genuine.compliance_inputs';

/**
 * Rounds of turned-away holders a repaired pool deal follows (each round lists their candidates) before it leaves
 * the products to be dealt again: a long chain costs more round trips than one deal.
 */
const MAX_REPAIR_ROUNDS = 8;

/** Needs (`machine/product`) as the two uuid array literals statements unnest: machine ids, product ids. */
function needArrays(needs: readonly string[]): [string, string] {
  const parts = needs.map(splitNeed);
  return [sqlArray(parts.map(([machineId]) => machineId)), sqlArray(parts.map(([, productId]) => productId))];
}

/** A need's pool seat: the entitlement a machine holds a seat of for a product. */
interface PoolSeat {
  machine_id: string;
  product_id: string;
  entitlement_id: string;
}

/** What a pool deal moved: the machines whose pooled coverage changed, the entitlements whose seats moved. */
interface PoolDealChanges {
  machineIds: string[];
  entitlementIds: string[];
}

/** Below this many machines a second backend saves less than its own set-up costs. */
const SPLIT_FULL_RECOMPUTE_AT = 10_000;
/** Machine ids below it go to one half of a split full recompute, the others to the other. */
const MACHINE_ID_MIDPOINT = '80000000-0000-0000-0000-000000000000';

/** One half of a split full recompute: machine ids from `from` (inclusive), or below `below`. None: every machine. */
interface MachineRange {
  from?: string;
  below?: string;
}

/** The halves of a split full recompute: this transaction's, and the helper's. */
const LOWER_HALF: MachineRange = { below: MACHINE_ID_MIDPOINT };
const UPPER_HALF: MachineRange = { from: MACHINE_ID_MIDPOINT };

/** The range as `and …` conditions on a machine id column (empty for every machine). */
function inMachineRangeSql(column: string, range: MachineRange): string {
  return `${range.from ? `and ${column} >= '${range.from}'` : ''} ${range.below ? `and ${column} < '${range.below}'` : ''}`;
}

/** The same test in Node, on a uuid as PostgreSQL prints it (lower-case hex sorts as the uuid does). */
function inMachineRange(machineId: string, range: MachineRange): boolean {
  return (range.from === undefined || machineId >= range.from) && (range.below === undefined || machineId < range.below);
}

/** A promise settled from outside; a rejection nobody awaits is not reported as unhandled. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** A half's install side of one position (see recomputeInHalves). */
interface PositionCount {
  org_unit_id: string;
  edition_id: string;
  installs: number;
  covered: number;
}

/** A full recompute's session settings, for its transaction and its helper's. */

const BATCH_SESSION_SETTINGS = [
  // A batch job over millions of rows: sorts, hashes and index builds in memory rather than spilling to disk.
  `set local work_mem = '256MB'`,
  `set local maintenance_work_mem = '512MB'`,
  // The planner cannot know how many installs the aggregation of installs and seats keeps, guesses a few
  // thousand, and sorts millions of rows on disk for merge joins; hash joins are right at every size here.
  'set local enable_mergejoin = off',
];

/** Direct coverage bases in the order rule 2 tries them (a–d). */
const BASES = ['DEVICE', 'USER', 'SITE', 'OEM'] as const;
/** Seat picks are basis rank × PICK_BASE + seniority: entitlements number far fewer than a billion. */
const PICK_BASE = 1_000_000_000;

/** The tables a full recompute builds afresh and swaps in (`recomputeAll`). */
const REPLACED_TABLES = ['compliance_install', 'compliance_machine_category', 'compliance_position'];

/** How to build a table's replacement like it, and to give the replacement the table's names once swapped. */
interface Replacement {
  table: string;
  next: string;
  /** Indexes and constraints, built on the loaded replacement under temporary names. */
  build: string[];
  /** Renames them to the live table's names after the swap. */
  rename: string[];
  /** The live table's triggers, created again on the replacement once it has the table's name. */
  triggers: string[];
}

/**
 * Read from PostgreSQL's own catalog, so the replacement gets exactly what the migrations created: every index
 * (constraint-backed ones as constraints), its definition, its name, and the triggers.
 */
const REPLACEMENTS_SQL = `
  with t as (select oid, relname from pg_class where relnamespace = 'audit'::regnamespace and relname = any(?::text[])),
  idx as (
    select x.indrelid as table_oid, ic.relname as index_name,
           case when c.oid is not null
                then format('alter table audit.%I add constraint %I %s', t.relname || '_next', c.conname || '_next', pg_get_constraintdef(c.oid))
                else format('create %sindex %I on audit.%I %s', case when x.indisunique then 'unique ' else '' end, ic.relname || '_next',
                            t.relname || '_next', substring(pg_get_indexdef(x.indexrelid) from ' USING .*$')) end as build,
           case when c.oid is not null
                then format('alter table audit.%I rename constraint %I to %I', t.relname, c.conname || '_next', c.conname)
                else format('alter index audit.%I rename to %I', ic.relname || '_next', ic.relname) end as rename
      from t join pg_index x on x.indrelid = t.oid join pg_class ic on ic.oid = x.indexrelid
      left join pg_constraint c on c.conindid = x.indexrelid and c.conrelid = t.oid
  )
  select t.relname as "table", t.relname || '_next' as next,
         array(select build from idx where table_oid = t.oid order by index_name) as build,
         array(select rename from idx where table_oid = t.oid order by index_name) as rename,
         array(select pg_get_triggerdef(tg.oid) from pg_trigger tg where tg.tgrelid = t.oid and not tg.tgisinternal order by tg.tgname) as triggers
    from t order by t.relname`;

/** Every category gets a status, so a unit's rate in any category is defined (MISSING counts against it). */
const ALL_CATEGORIES: readonly string[] = Object.values(SoftwareCategory);
