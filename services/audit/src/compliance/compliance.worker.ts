import { sqlArray, startLockedWorker, type LockedWorker, type Logger } from '@genuine/kit';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ComplianceEngine, INPUTS_SETTING, type ComplianceEngineOptions } from './compliance.engine';

export const COMPLIANCE_JOB = 'compliance';
const MAX_CHANGES_PER_BATCH = 5000;
/**
 * After a batch that found work, the next one waits this long, gathering what arrives meanwhile. A change after a
 * quiet spell is still taken at once; during a burst (a fleet reporting together) the batches' costs that do not
 * grow with their size — re-dealing a product's pools over all its machines above all — are paid once a second
 * rather than once per inventory. At 20,000 machines that left the ingest 5-15 % more reports per second.
 */
const COALESCE_MS = 1000;

interface ChangeRow {
  id: string;
  entity: string;
  entity_id: string;
  action: string;
  org_unit_ids: string[];
}

/**
 * One incremental step, in the locked transaction: machines the audit side marked dirty (triggers on the inventory
 * tables), registry changes from the change log, and entitlements that started or ended since the last evaluation
 * date, become one set of machines to recompute. The registry hands out change-log ids in commit order (it
 * serializes appends under an advisory lock until commit), so the watermark is simply the last id applied.
 */
export async function complianceBatch(tx: EntityManager): Promise<number> {
  const [state] = await tx.execute<
    Array<{ change_watermark: string; evaluated_on: string | null; today: string; horizon: string; inputs_label: string | null; inputs_copied: boolean }>
  >(
    // jit off for the transaction: small, index-driven statements, which compiling to machine code only slows.
    // inputs_*: the label of this session's copy of entitlements and coverage (see inputsLabel), if its tables exist.
    `select s.change_watermark::text, to_char(s.evaluated_on, 'YYYY-MM-DD') as evaluated_on, to_char(current_date, 'YYYY-MM-DD') as today,
            (select coalesce(max(id), 0)::text from registry_public.change_log) as horizon, set_config('jit', 'off', true) as jit,
            current_setting('${INPUTS_SETTING}', true) as inputs_label, to_regclass('pg_temp.compliance_ent') is not null as inputs_copied
       from audit.compliance_state s where s.id = 1 for update`,
  );
  if (state.evaluated_on === null) {
    // Never computed: the first run is a full recompute; changes up to now are part of it.
    const { machines } = await new ComplianceEngine(tx, state.today).recomputeAll();
    await tx.execute(`update audit.compliance_state set change_watermark = ?::bigint, evaluated_on = ?::date, recomputed_at = now() where id = 1`, [state.horizon, state.today]);
    return Math.max(machines, 1);
  }

  const changes = await tx.execute<ChangeRow[]>(
    `select id::text, entity, entity_id, action, org_unit_ids::text[] as org_unit_ids from registry_public.change_log
      where id > ?::bigint and id <= ?::bigint order by id limit ?`,
    [state.change_watermark, state.horizon, MAX_CHANGES_PER_BATCH],
  );
  const watermark = changes.length === MAX_CHANGES_PER_BATCH ? changes[changes.length - 1].id : state.horizon;
  const dirty = await tx.execute<Array<{ machine_id: string }>>(`delete from audit.compliance_dirty_machine returning machine_id`);
  // Nothing changed: the state row is left alone, so the results version readers cache figures under (its xmin,
  // see UnitFiguresCache) outlives idle polls instead of changing every second.
  if (changes.length === 0 && dirty.length === 0 && state.evaluated_on === state.today) return 0;

  let fullRecompute = false;
  const machineIds = new Set(dirty.map((d) => d.machine_id));
  const subtreeProducts: Array<{ units: string[]; entitlementId: string }> = [];
  const assignmentIds: string[] = [];
  const unitIds = new Set<string>();
  for (const change of changes) {
    if (change.entity === 'machine') machineIds.add(change.entity_id);
    else if (change.entity === 'assignment') assignmentIds.push(change.entity_id);
    else if (change.entity === 'entitlement') subtreeProducts.push({ units: change.org_unit_ids, entitlementId: change.entity_id });
    else if (change.entity === 'org_unit') continue;
    else fullRecompute = true; // catalogue coverage or licensability: anything can move
  }
  // The session's copy of entitlements and coverage holds every change up to the watermark it is labelled with
  // (it was made after that batch read its horizon, and ids are handed out in commit order): it is still right
  // when no change since touched an entitlement or the catalogue, on the same date.
  const inputsCurrent = state.inputs_copied && state.inputs_label === inputsLabel(state.today, state.change_watermark);
  const engine = new ComplianceEngine(tx, state.today, {
    inputs: { reuse: inputsCurrent && subtreeProducts.length === 0 && !fullRecompute, label: inputsLabel(state.today, watermark) },
  });
  if (assignmentIds.length > 0) {
    // The seat's machine, or every machine its person operates: one statement for the whole batch.
    // The seat's owner unit counts it among its assigned seats.
    const holders = await tx.execute<Array<{ id: string | null; owner_id: string }>>(
      `select coalesce(a.machine_id, m.id) as id, e.org_unit_id as owner_id from registry_public.assignment a
         join registry_public.entitlement e on e.id = a.entitlement_id
         left join registry_public.machine m on m.operator_person_id = a.person_id
        where a.id = any(?::uuid[])`,
      [sqlArray(assignmentIds)],
    );
    for (const h of holders) {
      if (h.id) machineIds.add(h.id);
      unitIds.add(h.owner_id);
    }
  }
  if (state.evaluated_on !== state.today) {
    // Entitlements that began or ended since the last evaluation date cover differently today.
    const turned = await tx.execute<Array<{ id: string; org_unit_id: string }>>(
      `select id, org_unit_id from registry_public.entitlement
        where (valid_from > ?::date and valid_from <= ?::date) or (valid_until >= ?::date and valid_until < ?::date)`,
      [state.evaluated_on, state.today, state.evaluated_on, state.today],
    );
    for (const e of turned) subtreeProducts.push({ units: [e.org_unit_id], entitlementId: e.id });
  }
  if (fullRecompute) {
    await engine.recomputeAll();
  } else {
    for (const { units, entitlementId } of subtreeProducts) {
      // Machines under the owning unit(s) with an install the entitlement could cover, and its seat holders. An
      // install a machine seat covers stays so whatever else changes (rule 2a comes first): only the seat's own
      // entitlement can move it, and that entitlement's seat holders are in the second half.
      const affected = await tx.execute<Array<{ machine_id: string }>>(
        `select distinct ci.machine_id from audit.compliance_install ci
           join registry_public.org_unit_ancestry a on a.unit_id = ci.org_unit_id and a.ancestor_id = any(?::uuid[])
           join registry_public.edition_coverage c on c.covered_edition_id = ci.edition_id
           join registry_public.entitlement e on e.edition_id = c.edition_id and e.id = ?
          where ci.basis is null or ci.basis <> 'DEVICE'
         union
         select machine_id from registry_public.assignment where entitlement_id = ? and machine_id is not null`,
        [sqlArray(units.filter(Boolean)), entitlementId, entitlementId],
      );
      for (const a of affected) machineIds.add(a.machine_id);
      for (const unit of units) if (unit) unitIds.add(unit);
    }
    await engine.recomputeMachines([...machineIds], { entitlementIds: subtreeProducts.map((s) => s.entitlementId), unitIds: [...unitIds] });
  }
  await tx.execute(`update audit.compliance_state set change_watermark = ?::bigint, evaluated_on = ?::date where id = 1`, [watermark, state.today]);
  return changes.length + dirty.length + (fullRecompute ? 1 : 0);
}

/** What a session's copy of entitlements and coverage is labelled with: the date and the watermark it holds up to. */
function inputsLabel(date: string, watermark: string): string {
  return `${date}/${watermark}`;
}

/** Full recompute on demand (`npm run recompute`, the ADMIN mutation), under the same lock as the worker. */
export async function recomputeEverything(tx: EntityManager, options: ComplianceEngineOptions = {}): Promise<number> {
  const [state] = await tx.execute<Array<{ today: string; horizon: string }>>(
    `select to_char(current_date, 'YYYY-MM-DD') as today, (select coalesce(max(id), 0)::text from registry_public.change_log) as horizon,
            set_config('jit', 'off', true) as jit
       from audit.compliance_state where id = 1 for update`,
  );
  const { machines } = await new ComplianceEngine(tx, state.today, options).recomputeAll();
  await tx.execute(`update audit.compliance_state set change_watermark = ?::bigint, evaluated_on = ?::date, recomputed_at = now() where id = 1`, [state.horizon, state.today]);
  return machines;
}

/**
 * The background worker every audit replica starts; the advisory lock lets one of them run at a time. It wakes on
 * the NOTIFYs of inventory writes and registry changes, and polls in case one is missed.
 */
export function startComplianceWorker(orm: MikroORM, log: Logger, pollMs = 1000): LockedWorker {
  const worker = startLockedWorker({ orm, name: COMPLIANCE_JOB, log, batch: complianceBatch, pollMs, busyPauseMs: 0, coalesceMs: COALESCE_MS });
  const listener = new Client({ connectionString: orm.config.get('clientUrl') });
  let listening = false;
  listener.on('notification', () => worker.wake());
  listener.on('error', (err) => log.warn({ err }, 'compliance listener lost; polling only'));
  listener
    .connect()
    .then(() => listener.query('listen genuine_compliance_dirty; listen genuine_registry_change'))
    .then(() => {
      listening = true;
    })
    .catch((err: unknown) => log.warn({ err }, 'compliance listener unavailable; polling only'));
  return {
    wake: () => worker.wake(),
    stop: async () => {
      await worker.stop();
      if (listening) await listener.end().catch(() => undefined);
    },
  };
}
