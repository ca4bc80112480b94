import autocannon from 'autocannon';
import { MikroORM } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { withAdvisoryXactLock, withClient } from '@genuine/kit';
import { auditOrmConfig } from '@genuine/audit';
import { COMPLIANCE_JOB, complianceBatch, recomputeEverything } from '@genuine/audit/src/compliance/compliance.worker';
import { waitForIdleWorker } from '../support/worker';
import { BENCH_ADMIN_TOKEN as ADMIN, defaultLayout, startStack } from './dashboard';
import { failed, median, measured, type Figure } from '../support/report';

export interface ComplianceOptions {
  databaseUrl: string;
  rootCode: string;
  runs: number;
  incrementalSamples: number;
  durationSeconds: number;
  connections: number;
  log: (line: string) => void;
}


/**
 * The best single SQL statement computing the per-unit figures a full recompute keeps: per unit and category (all
 * seven) machines LICENSED / UNLICENSED / MISSING, per unit machines and fully licensed ones, and per unit and
 * edition the position (installs, covered, entitled, assigned), from the installations, the recognized titles and
 * every direct coverage rule (seats on the machine, the operator's per-user seats, site licenses of the unit's
 * ancestors, OEM bindings). It skips pools (a greedy deal in a fixed order, which no single statement expresses
 * well) and stores nothing, so it is a floor for the engine rather than the same work.
 *
 * Written to be fast, with the engine's own tricks: installs and machine seats keyed alike, so one aggregation
 * de-duplicates the installs and finds their seats; coverage grouped, so the planner estimates a few hundred rows
 * rather than the recursive view's half a million; run with the engine's session settings (`BASELINE_OPTIONS`).
 * `complianceScenario` checks its answer against the engine's before timing it.
 */
const BEST_SQL = `
  with ent as materialized (
      select id, edition_id, org_unit_id, metric, type, oem_machine_id, quantity from registry_public.entitlement
       where not retired and valid_from <= current_date and (valid_until is null or valid_until >= current_date)),
    cov as materialized (select edition_id, covered_edition_id from registry_public.edition_coverage group by 1, 2),
    m as materialized (select id, org_unit_id, operator_person_id from registry.machine where status = 'ACTIVE'),
    machine_edition as (
      select machine_id, edition_id, bool_or(seat) as seated from (
        select i.machine_id, t.edition_id, false as seat
          from audit.installation i join audit.software_title t on t.id = i.title_id and t.edition_id is not null and not t.ignored
        union all
        select a.machine_id, c.covered_edition_id, true
          from registry_public.assignment a join ent e on e.id = a.entitlement_id and e.metric <> 'PER_USER' join cov c on c.edition_id = e.edition_id
         where a.active and a.machine_id is not null
        union all
        select e.oem_machine_id, c.covered_edition_id, true from ent e join cov c on c.edition_id = e.edition_id where e.type = 'OEM' and e.oem_machine_id is not null
      ) x group by 1, 2 having bool_or(not seat)
    ),
    user_seat as (
      select distinct a.person_id, c.covered_edition_id as edition_id
        from registry_public.assignment a join ent e on e.id = a.entitlement_id and e.metric = 'PER_USER' join cov c on c.edition_id = e.edition_id
       where a.active and a.person_id is not null
    ),
    site as (
      select distinct an.unit_id, c.covered_edition_id as edition_id
        from ent e join cov c on c.edition_id = e.edition_id join registry_public.org_unit_ancestry an on an.ancestor_id = e.org_unit_id
       where e.metric = 'SITE'
    ),
    covered as materialized (
      select me.machine_id, me.edition_id, m.org_unit_id, ed.category, ed.licensable,
             (not ed.licensable or me.seated or u.person_id is not null or st.unit_id is not null) as ok
        from machine_edition me join m on m.id = me.machine_id join registry_public.edition ed on ed.id = me.edition_id
        left join user_seat u on u.person_id = m.operator_person_id and u.edition_id = me.edition_id
        left join site st on st.unit_id = m.org_unit_id and st.edition_id = me.edition_id
    ),
    machine_category as (select machine_id, category, bool_and(ok) as ok from covered group by 1, 2),
    status as materialized (
      select m.id, m.org_unit_id, cat.category,
             case when mc.machine_id is null then 'MISSING' when mc.ok then 'LICENSED' else 'UNLICENSED' end as status
        from m cross join (values ('OPERATING_SYSTEM'), ('OFFICE'), ('ANTIVIRUS'), ('DATABASE'), ('DESIGN'), ('DEVELOPMENT'), ('OTHER')) cat(category)
        left join machine_category mc on mc.machine_id = m.id and mc.category = cat.category
    ),
    unit_category as (
      select org_unit_id, category, count(*) as machines, count(*) filter (where status = 'LICENSED') as licensed,
             count(*) filter (where status = 'UNLICENSED') as unlicensed, count(*) filter (where status = 'MISSING') as missing
        from status group by 1, 2
    ),
    unit_fully as (
      select org_unit_id, count(*) as machines, count(*) filter (where n = 3) as fully
        from (select id, org_unit_id, count(*) filter (where status = 'LICENSED' and category in ('OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS')) as n
                from status group by 1, 2) s
       group by 1
    ),
    install_side as (
      select org_unit_id, edition_id, count(*) as installs, count(*) filter (where ok) as covered from covered where licensable group by 1, 2
    ),
    seat_side as (
      select e.org_unit_id, e.edition_id, sum(e.quantity) as entitled, sum(coalesce(a.n, 0)) as assigned
        from ent e left join (select entitlement_id, count(*) as n from registry_public.assignment where active group by 1) a on a.entitlement_id = e.id
       group by 1, 2
    )
  select 'category' as figure, org_unit_id::text as unit, category as key, machines::int as a, licensed::int as b, unlicensed::int as c, missing::int as d from unit_category
  union all select 'unit', org_unit_id::text, '', machines::int, fully::int, 0, 0 from unit_fully
  union all select 'position', coalesce(i.org_unit_id, s.org_unit_id)::text, coalesce(i.edition_id, s.edition_id)::text,
                   coalesce(i.installs, 0)::int, coalesce(i.covered, 0)::int, coalesce(s.entitled, 0)::int, coalesce(s.assigned, 0)::int
    from install_side i full join seat_side s on s.org_unit_id = i.org_unit_id and s.edition_id = i.edition_id`;

/**
 * The narrower statement this bench compared against until 27 November: the three tracked categories' counts only,
 * from seats on the machine and site licenses. Printed beside, not a target.
 */
const TRACKED_COUNTS_SQL = `
  with ent as materialized (
      select id, edition_id, org_unit_id, metric from registry_public.entitlement
       where not retired and valid_from <= current_date and (valid_until is null or valid_until >= current_date)),
    cov as materialized (select edition_id, covered_edition_id from registry_public.edition_coverage),
    m as materialized (select id, org_unit_id from registry.machine where status = 'ACTIVE'),
    inst as (
      select distinct i.machine_id, t.edition_id, ed.category, ed.licensable, m.org_unit_id
        from audit.installation i join audit.software_title t on t.id = i.title_id and t.edition_id is not null and not t.ignored
        join registry_public.edition ed on ed.id = t.edition_id
        join m on m.id = i.machine_id
       where ed.category in ('OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS')
    ),
    seat as (
      select distinct a.machine_id, c.covered_edition_id as edition_id
        from registry_public.assignment a join ent e on e.id = a.entitlement_id join cov c on c.edition_id = e.edition_id
       where a.active and a.machine_id is not null
    ),
    site as (
      select distinct an.unit_id, c.covered_edition_id as edition_id
        from ent e join cov c on c.edition_id = e.edition_id join registry_public.org_unit_ancestry an on an.ancestor_id = e.org_unit_id
       where e.metric = 'SITE'
    ),
    covered as (
      select inst.machine_id, inst.org_unit_id, inst.category, (not inst.licensable or s.machine_id is not null or st.unit_id is not null) as ok
        from inst left join seat s on s.machine_id = inst.machine_id and s.edition_id = inst.edition_id
        left join site st on st.unit_id = inst.org_unit_id and st.edition_id = inst.edition_id
    ),
    status as (
      select m.id, m.org_unit_id, cat.category,
             case when count(c.machine_id) = 0 then 'MISSING' when bool_and(c.ok) then 'LICENSED' else 'UNLICENSED' end as status
        from m cross join (values ('OPERATING_SYSTEM'), ('OFFICE'), ('ANTIVIRUS')) cat(category)
        left join covered c on c.machine_id = m.id and c.category = cat.category
       group by m.id, m.org_unit_id, cat.category
    )
    select org_unit_id, category, count(*) filter (where status = 'LICENSED') as licensed, count(*) as machines from status group by 1, 2`;

/** The full recompute's own session settings (ComplianceEngine.recomputeAll), given to the baselines as well. */
const BASELINE_OPTIONS = `-c jit=off -c work_mem=256MB -c enable_mergejoin=off`;

interface BaselineRow {
  figure: 'category' | 'unit' | 'position';
  unit: string;
  key: string;
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * The baseline must compute the figures the engine keeps, or its time means nothing. Pools only add coverage, so:
 * machines, MISSING counts, installs, entitled and assigned seats equal the engine's; what it counts as licensed
 * or covered is at most the engine's. Throws on the first difference.
 */
async function checkBaselineAgainstEngine(pool: Pool, rows: readonly BaselineRow[]): Promise<void> {
  const engine = new Map<string, BaselineRow>();
  const load = async (figure: BaselineRow['figure'], sql: string) => {
    for (const r of (await pool.query<BaselineRow>(sql)).rows) engine.set(`${figure}/${r.unit}/${r.key}`, { ...r, figure });
  };
  await load('category', `select org_unit_id::text as unit, category as key, machine_count as a, licensed as b, unlicensed as c, missing as d from audit.compliance_unit_category`);
  await load('unit', `select org_unit_id::text as unit, '' as key, machine_count as a, fully_licensed as b, 0 as c, 0 as d from audit.compliance_unit`);
  await load('position', `select org_unit_id::text as unit, edition_id::text as key, installs as a, covered as b, entitled as c, assigned as d from audit.compliance_position`);
  const zero = (figure: BaselineRow['figure'], unit: string, key: string): BaselineRow => ({ figure, unit, key, a: 0, b: 0, c: 0, d: 0 });
  const seen = new Set<string>();
  for (const r of rows) {
    const id = `${r.figure}/${r.unit}/${r.key}`;
    seen.add(id);
    const e = engine.get(id) ?? zero(r.figure, r.unit, r.key);
    const same = r.figure === 'category' ? r.a === e.a && r.d === e.d && r.b <= e.b : r.figure === 'unit' ? r.a === e.a && r.b <= e.b : r.a === e.a && r.c === e.c && r.d === e.d && r.b <= e.b;
    if (!same) throw new Error(`the best single SQL disagrees with the engine on ${id}: ${JSON.stringify(r)} vs ${JSON.stringify(e)}`);
  }
  for (const [id, e] of engine) {
    if (!seen.has(id) && (e.a !== 0 || (e.figure === 'position' && e.c !== 0))) throw new Error(`the best single SQL has no row for ${id}: engine ${JSON.stringify(e)}`);
  }
}

/** Full recompute vs the best single SQL, incremental latency after one inventory, and the root's figures under load. */
export async function complianceScenario(o: ComplianceOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const orm = await MikroORM.init(auditOrmConfig({ databaseUrl: o.databaseUrl, poolMax: 4 }));
  const pool = new Pool({ connectionString: o.databaseUrl, max: 2, options: BASELINE_OPTIONS });
  try {
    const full: number[] = [];
    const best: number[] = [];
    const narrow: number[] = [];
    for (let run = 0; run < o.runs; run++) {
      let started = Date.now();
      await withAdvisoryXactLock(orm.em, COMPLIANCE_JOB, recomputeEverything);
      full.push(Date.now() - started);
      started = Date.now();
      const { rows } = await pool.query<BaselineRow>(BEST_SQL);
      best.push(Date.now() - started);
      if (run === 0) await checkBaselineAgainstEngine(pool, rows);
      started = Date.now();
      await pool.query(TRACKED_COUNTS_SQL);
      narrow.push(Date.now() - started);
      o.log(`  compliance run ${run + 1}/${o.runs}: full recompute ${full[run]} ms, best single SQL ${best[run]} ms (three categories' counts only: ${narrow[run]} ms)`);
    }
    figures.push(measured({ scenario: 'compliance', figure: 'full recompute, whole dataset', unit: 'ms', ours: median(full), baselineName: 'best single SQL (the same per-unit figures, pools aside)', baseline: median(best), target: '<= 1.5x best SQL', runs: full, baselineRuns: best }));
    figures.push(measured({ scenario: 'compliance', figure: 'full recompute vs a narrower SQL', unit: 'ms', ours: median(full), baselineName: "SQL for three categories' counts only", baseline: median(narrow), target: 'printed', runs: full, baselineRuns: narrow }));

    // One machine's inventory changes: its installation set is rewritten, as an ingest does; the batch that follows
    // is what the worker runs when the NOTIFY arrives.
    // The first machines are a warm-up, not measured: the first batch on each of the pool's connections runs on cold
    // caches and creates the engine's session tables (it was the p99 of every run, twice the others). The worker
    // runs warm: its connections serve batch after batch.
    const WARM_UP = 5;
    const { rows: machines } = await pool.query<{ machine_id: string }>(`select machine_id from audit.installation group by machine_id order by machine_id limit $1`, [o.incrementalSamples + WARM_UP]);
    const sample = machines.slice(WARM_UP);
    for (const { machine_id } of machines.slice(0, WARM_UP)) {
      await pool.query(`update audit.installation set last_seen_at = now() where machine_id = $1`, [machine_id]);
      await withAdvisoryXactLock(orm.em, COMPLIANCE_JOB, complianceBatch);
    }
    const latencies: number[] = [];
    for (const { machine_id } of sample) {
      await pool.query(`update audit.installation set last_seen_at = now() where machine_id = $1`, [machine_id]);
      const started = process.hrtime.bigint();
      await withAdvisoryXactLock(orm.em, COMPLIANCE_JOB, complianceBatch);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))];
    figures.push(measured({ scenario: 'compliance', figure: `incremental update after one inventory, p99 of ${latencies.length}`, unit: 'ms', ours: p99(latencies), baselineName: 'median', baseline: median(latencies), target: 'p99 < 50 ms', runs: latencies }));

    // The same machines' next inventories each lose one recognized licensable title (uninstalled): what they ask of
    // pools changes, so the product's pool is dealt again over every machine that needs it.
    const changedLatencies: number[] = [];
    for (const { machine_id } of sample) {
      await pool.query(
        `delete from audit.installation i using audit.software_title t, registry_public.edition ed
          where i.machine_id = $1 and t.id = i.title_id and ed.id = t.edition_id and ed.licensable
            and i.title_id = (select min(i2.title_id::text)::uuid from audit.installation i2 join audit.software_title t2 on t2.id = i2.title_id
                               join registry_public.edition e2 on e2.id = t2.edition_id where i2.machine_id = $1 and e2.licensable)`,
        [machine_id],
      );
      const started = process.hrtime.bigint();
      await withAdvisoryXactLock(orm.em, COMPLIANCE_JOB, complianceBatch);
      changedLatencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    figures.push(measured({ scenario: 'compliance', figure: `incremental update after an inventory that removes a licensed title, p99 of ${changedLatencies.length}`, unit: 'ms', ours: p99(changedLatencies), baselineName: 'median', baseline: median(changedLatencies), target: 'printed (re-deals the product\'s pools)', runs: changedLatencies }));
  } catch (err) {
    figures.push(failed('compliance', 'recompute', 'runs', err instanceof Error ? err.message.split('\n')[0] : String(err)));
  } finally {
    await pool.end();
    await orm.close();
  }

  try {
    // The dataset's titles are mapped already. A keyed (and removed) rule tells the start that the shipped rules
    // were handled, so it does not replay them over 5 million installations while the root is being read.
    await withClient(o.databaseUrl, (c) =>
      c.query(
        `insert into audit.normalization_rule (id, key, name_pattern, ignore, priority, created_by, removed_at, removed_by)
         values (gen_random_uuid(), 'bench-dataset-mapped', '^$', true, 0, 'bench', now(), 'bench') on conflict (key) do nothing`,
      ),
    );
    // As deployed (gateway, registry and audit as three processes, the audit one running the compliance worker),
    // like the dashboard figure; BENCH_STACK_LAYOUT=one measures `npm start`'s one process.
    const layout = defaultLayout();
    const stack = await startStack(o.databaseUrl, layout);
    try {
      await waitForIdleWorker(o.databaseUrl);
      const body = JSON.stringify({ query: `{ orgUnit(code: ${JSON.stringify(o.rootCode)}) { compliance { machineCount fullyLicensed categories { category licensed unlicensed missing rate } shortfallCost { amount currency } } } }` });
      // Warm-up: the first requests compile the operation and fill the figures cache, and the first seconds of load
      // run unoptimized code in all three processes (50 requests left the p99 of a 3 s run twice what it settles at).
      await autocannon({ url: stack.url, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body, connections: o.connections, duration: 3 });
      const result = await autocannon({ url: stack.url, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body, connections: o.connections, duration: o.durationSeconds });
      if (result.requests.total === 0 || result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${result.requests.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors`);
      }
      figures.push(measured({ scenario: 'compliance', figure: `OrgUnit.compliance of the root, ${o.connections} clients, p99 (${layout === 'one' ? 'one process' : 'three processes'})`, unit: 'ms', ours: result.latency.p99, baselineName: null, baseline: null, target: 'p99 < 50 ms', note: `${Math.round(result.requests.average)} req/s, median ${result.latency.p50} ms` }));
    } finally {
      await Promise.all(stack.processes.map((p) => p.stop()));
    }
  } catch (err) {
    figures.push(failed('compliance', 'OrgUnit.compliance through the gateway', 'p99 < 50 ms', err instanceof Error ? err.message.split('\n')[0] : String(err)));
  }
  return figures;
}
