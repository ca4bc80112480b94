import { Client } from 'pg';
import { Allocation, SoftwareCategory, withAdvisoryXactLock } from '@genuine/kit';
import { ComplianceEngine } from '../src/compliance/compliance.engine';
import { COMPLIANCE_JOB } from '../src/compliance/compliance.worker';
import { ComplianceWorld } from '../../../test/support/compliance';
import { testDatabaseMode, testDatabaseUrl } from '../../../test/support/test-database';

/*
 * A full recompute writes the per-install results and machine statuses into fresh tables and swaps them in at the
 * end (ComplianceEngine.recomputeAll). What that must keep: readers see the previous figures meanwhile, without
 * waiting; the swapped-in tables are the live ones in every respect (indexes, constraints, triggers, names).
 */

let world: ComplianceWorld;
beforeAll(async () => {
  world = await ComplianceWorld.open();
});
afterAll(() => world.close());

const OS = SoftwareCategory.OPERATING_SYSTEM;
const TABLES = ['compliance_install', 'compliance_machine_category', 'compliance_position'];

/** Everything the migrations attached to the tables, as PostgreSQL describes it. */
async function describeTables(client: Client) {
  const { rows } = await client.query(
    `select c.relname as table, c.oid::int as oid,
            array(select indexname || ': ' || indexdef from pg_indexes where schemaname = 'audit' and tablename = c.relname order by indexname) as indexes,
            array(select conname || ': ' || pg_get_constraintdef(k.oid) from pg_constraint k where k.conrelid = c.oid order by conname) as constraints,
            array(select pg_get_triggerdef(t.oid) from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal order by tgname) as triggers,
            array(select attname || ' ' || format_type(atttypid, atttypmod) || case when attnotnull then ' not null' else '' end
                    from pg_attribute where attrelid = c.oid and attnum > 0 and not attisdropped order by attnum) as columns
       from pg_class c where c.relnamespace = 'audit'::regnamespace and c.relname = any($1::text[]) order by c.relname`,
    [TABLES],
  );
  return rows as Array<{ table: string; oid: number; indexes: string[]; constraints: string[]; triggers: string[]; columns: string[] }>;
}

async function figuresOf(client: Client, unitId: string, machineId: string) {
  const status = await client.query(`select status from audit.compliance_machine_category where machine_id = $1 and category = $2`, [machineId, OS]);
  const install = await client.query(`select basis from audit.compliance_install where machine_id = $1`, [machineId]);
  const unit = await client.query(`select licensed, unlicensed from audit.compliance_unit_category where org_unit_id = $1 and category = $2`, [unitId, OS]);
  const position = await client.query(`select installs, covered from audit.compliance_position where org_unit_id = $1`, [unitId]);
  return { status: status.rows[0]?.status, basis: install.rows[0]?.basis, unit: unit.rows[0], position: position.rows[0] };
}

/**
 * Stops a full recompute once its results are in the fresh tables, before unit figures, marks and the swap: it
 * rewrites unit figures then, which a SHARE lock holds up while letting readers read them.
 */
const HOLD_BEFORE_SWAP = 'lock table audit.compliance_unit_category in share mode';
const HELD_AT = 'delete from audit.compliance_unit_category';

/** Waits until a statement of the recompute starting with `prefix` waits for a lock (`client` outside a transaction: it sees activity as of its transaction's start). */
async function waitUntilBlocked(client: Client, prefix: string): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 20) {
    const { rows } = await client.query(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and starts_with(query, $1)`,
      [prefix],
    );
    if (rows[0].n === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the full recompute never reached "${prefix}"`);
}

// PGlite serves one connection at a time: a reader cannot run while the recompute is held mid-way.
(testDatabaseMode() === 'server' ? it : it.skip)('readers keep the previous figures during a full recompute, without waiting for it', async () => {
  const unit = await world.unit(null, 'swap');
  const os = await world.product(OS);
  const edition = await world.edition(os.id);
  const machine = await world.machine(unit.code);
  await world.install(machine.id, edition.id);
  const seat = await world.assign((await world.entitlement(unit.code, edition.id)).id, { machineId: machine.id });
  await world.incremental();
  const licensed = { status: 'LICENSED', basis: 'DEVICE', unit: { licensed: 1, unlicensed: 0 }, position: { installs: 1, covered: 1 } };
  const unlicensed = { status: 'UNLICENSED', basis: null, unit: { licensed: 0, unlicensed: 1 }, position: { installs: 1, covered: 0 } };

  const holder = new Client({ connectionString: testDatabaseUrl() });
  const reader = new Client({ connectionString: testDatabaseUrl() });
  await holder.connect();
  await reader.connect();
  try {
    expect(await figuresOf(reader, unit.id, machine.id)).toEqual(licensed);
    const before = await describeTables(reader);
    await world.revoke(seat.id);
    await holder.query('begin');
    await holder.query(HOLD_BEFORE_SWAP);
    const recompute = world.full();
    await waitUntilBlocked(reader, HELD_AT);
    // Mid-recompute: the previous figures, answered at once (a lock wait would fail after 500 ms).
    await reader.query(`set lock_timeout = '500ms'`);
    expect(await figuresOf(reader, unit.id, machine.id)).toEqual(licensed);
    await holder.query('rollback');
    await recompute;
    await reader.query(`reset lock_timeout`);
    expect(await figuresOf(reader, unit.id, machine.id)).toEqual(unlicensed);

    // The swapped-in tables are new (other oids) and otherwise identical: columns, indexes, constraints, triggers.
    const after = await describeTables(reader);
    expect(after.map((t) => t.table)).toEqual(TABLES);
    after.forEach((t, i) => expect(t.oid).not.toBe(before[i].oid));
    const strip = (tables: typeof before) => tables.map(({ oid: _oid, ...rest }) => rest);
    expect(strip(after)).toEqual(strip(before));
    expect(after[0].triggers).toHaveLength(3);
    expect(await freshTablesLeft()).toEqual([]);

    // The new table's triggers work: an incremental change after the swap moves the position by its delta.
    await world.assign((await world.entitlement(unit.code, edition.id)).id, { machineId: machine.id });
    await world.incremental();
    expect(await figuresOf(reader, unit.id, machine.id)).toEqual(licensed);
  } finally {
    await holder.end();
    await reader.end();
  }
});

(testDatabaseMode() === 'server' ? it : it.skip)('an inventory that lands during a full recompute, for a machine marked before it, is applied after it', async () => {
  const unit = await world.unit(null, 'race');
  const [os, av] = [await world.product(OS), await world.product(SoftwareCategory.ANTIVIRUS)];
  const [osEdition, avEdition] = [await world.edition(os.id), await world.edition(av.id)];
  const [late, other] = [await world.machine(unit.code), await world.machine(unit.code)];
  await world.install(late.id, osEdition.id); // marked dirty, not computed yet
  await world.install(other.id, avEdition.id); // the antivirus title exists before the recompute
  const holder = new Client({ connectionString: testDatabaseUrl() });
  const watcher = new Client({ connectionString: testDatabaseUrl() });
  await holder.connect();
  await watcher.connect();
  try {
    await holder.query('begin');
    await holder.query(HOLD_BEFORE_SWAP);
    const recompute = world.full();
    await waitUntilBlocked(watcher, HELD_AT);
    await world.install(late.id, avEdition.id);
    await holder.query('rollback');
    await recompute;
  } finally {
    await holder.end();
    await watcher.end();
  }
  // The recompute read the inventories before the antivirus arrived; the mark the arrival wrote again survived it.
  expect(await world.statuses([late.id], SoftwareCategory.ANTIVIRUS)).toEqual({ [late.id]: 'MISSING' });
  await world.incremental();
  expect(await world.statuses([late.id], SoftwareCategory.ANTIVIRUS)).toEqual({ [late.id]: 'UNLICENSED' });
});

it('a full recompute run twice in a row gives the same rows as the incremental path', async () => {
  const unit = await world.unit(null, 'swap-twice');
  const os = await world.product(OS);
  const edition = await world.edition(os.id);
  const [a, b] = [await world.machine(unit.code), await world.machine(unit.code)];
  for (const m of [a, b]) await world.install(m.id, edition.id);
  await world.assign((await world.entitlement(unit.code, edition.id)).id, { machineId: a.id });
  await world.incremental();
  const incremental = await world.snapshot([unit.id], [a.id, b.id]);
  await world.full();
  expect(await world.snapshot([unit.id], [a.id, b.id])).toEqual(incremental);
  await world.full();
  expect(await world.snapshot([unit.id], [a.id, b.id])).toEqual(incremental);
});

/** Whether a fresh table of a full recompute is left in the schema. */
async function freshTablesLeft(): Promise<string[]> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query(`select relname from pg_class where relnamespace = 'audit'::regnamespace and relname like '%\\_next' order by 1`);
    return rows.map((r: { relname: string }) => r.relname);
  } finally {
    await client.end();
  }
}

// On a server a full recompute runs on two backends, split by machine id; PGlite has one backend, and the same call
// falls back to running alone (a helper transaction would wait for this one forever).
it('a full recompute on two backends gives the rows one backend gives, with pools dealt in order across both halves', async () => {
  const parent = await world.unit(null, 'split');
  const child = await world.unit(parent.code, 'split-child');
  const os = await world.product(OS);
  const edition = await world.edition(os.id);
  const below = (m: { id: string }) => m.id < '8';
  // Machines on both sides of the midpoint the halves split at (ids are random: a few more until the sides hold what
  // the deal below needs). The pool's order puts the parent's machines before the child's whatever their ids, so a
  // merge that took one half's list before the other's would hand the child's second machine below the midpoint a
  // seat meant for a parent's machine above it.
  const parentMachines: Array<{ id: string }> = [];
  const childMachines: Array<{ id: string }> = [];
  while (parentMachines.length < 4 || !parentMachines.some(below) || !parentMachines.some((m) => !below(m))) {
    if (parentMachines.length >= 40) throw new Error('machine ids never fell on both sides of the midpoint');
    parentMachines.push(await world.machine(parent.code));
  }
  while (childMachines.length < 3 || childMachines.filter(below).length < 2) {
    if (childMachines.length >= 40) throw new Error('machine ids never fell below the midpoint');
    childMachines.push(await world.machine(child.code));
  }
  const machines = [...parentMachines, ...childMachines];
  for (const m of machines) await world.install(m.id, edition.id);
  // One machine seat (rule 2a); the parent's pool holds a seat for each other machine of the parent (depth 0 for
  // them, 1 for the child's); the child's own pool one seat, for its first machine by id (rule 2e).
  await world.assign((await world.entitlement(parent.code, edition.id)).id, { machineId: parentMachines[0].id });
  const parentPool = await world.entitlement(parent.code, edition.id, { quantity: parentMachines.length - 1, allocation: Allocation.POOLED });
  const childPool = await world.entitlement(child.code, edition.id, { quantity: 1, allocation: Allocation.POOLED });
  const ids = machines.map((m) => m.id);
  const units = [parent.id, child.id];
  await world.incremental();
  const incremental = await world.snapshot(units, ids);
  await world.full({ splitFullRecomputeAt: Number.MAX_SAFE_INTEGER });
  const oneBackend = await world.snapshot(units, ids);
  // The engine itself, to see how it ran; the date is the one the worker evaluated on.
  const split = await withAdvisoryXactLock(world.audit.em, COMPLIANCE_JOB, async (tx) => {
    const [{ today }] = await tx.execute<Array<{ today: string }>>(`select to_char(evaluated_on, 'YYYY-MM-DD') as today from audit.compliance_state where id = 1`);
    return new ComplianceEngine(tx, today, { splitFullRecomputeAt: 1 }).recomputeAll();
  });
  expect(split).toEqual({ acquired: true, value: { machines: expect.any(Number), backends: testDatabaseMode() === 'server' ? 2 : 1 } });
  const twoBackends = await world.snapshot(units, ids);
  expect(twoBackends).toEqual(oneBackend);
  expect(twoBackends).toEqual(incremental);
  // The deal itself, by hand: every parent machine covered, the child's first machine by id from its own pool.
  const seatOf = new Map((twoBackends as { installs: Array<{ machine_id: string; entitlement_id: string | null }> }).installs.map((i) => [i.machine_id, i.entitlement_id]));
  const firstChild = [...childMachines].sort((a, b) => (a.id < b.id ? -1 : 1))[0];
  expect(parentMachines.slice(1).map((m) => seatOf.get(m.id))).toEqual(parentMachines.slice(1).map(() => parentPool.id));
  expect(childMachines.map((m) => seatOf.get(m.id))).toEqual(childMachines.map((m) => (m === firstChild ? childPool.id : null)));
  const { statuses, positions } = twoBackends as { statuses: Array<{ machine_id: string; category: string; status: string }>; positions: Array<{ org_unit_id: string; installs: number; covered: number }> };
  expect(statuses.filter((s) => s.category === OS && s.status === 'LICENSED').map((s) => s.machine_id).sort()).toEqual([...parentMachines.map((m) => m.id), firstChild.id].sort());
  expect(positions.map((p) => [p.org_unit_id, p.installs, p.covered])).toEqual(
    [
      [parent.id, parentMachines.length, parentMachines.length],
      [child.id, childMachines.length, 1],
    ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
  );
  expect(await freshTablesLeft()).toEqual([]);
});

it('a full recompute drops fresh tables a failed one left behind, whichever way it loads', async () => {
  for (const splitFullRecomputeAt of [1, Number.MAX_SAFE_INTEGER]) {
    const client = new Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      // What a split recompute leaves when it fails after its helper committed: the fresh tables, outside any transaction.
      await client.query(TABLES.map((t) => `create table audit.${t}_next (machine_id uuid)`).join(';'));
    } finally {
      await client.end();
    }
    expect(await freshTablesLeft()).toEqual(['compliance_install_next', 'compliance_machine_category_next', 'compliance_position_next']);
    await world.full({ splitFullRecomputeAt });
    expect(await freshTablesLeft()).toEqual([]);
  }
});
