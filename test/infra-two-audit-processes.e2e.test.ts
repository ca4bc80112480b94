import { execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { MikroORM } from '@mikro-orm/postgresql';
import { advisoryLockKey, withAdvisoryXactLock, withClient } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { auditOrmConfig } from '@genuine/audit';
import { COMPLIANCE_JOB, recomputeEverything } from '@genuine/audit/src/compliance/compliance.worker';
import { postAgent } from './support/agent-client';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { gql } from './support/stack';
import { serverAdminUrl, testDatabaseMode, testDatabaseUrl } from './support/test-database';

/*
 * Two replicas of the audit service on one database (issue #8 item 4; infra/README → scale path): two real
 * `services/audit/src/main.ts` processes, as the containers run them, each with the compliance worker, beside one
 * registry process, on one migrated database (a new one on a PostgreSQL server). Changes arrive through the real APIs — inventories
 * posted to either replica's agent endpoint, seats, OEM bindings, a move and revocations through the registry — in
 * three waves: one while replica B is paused (SIGSTOP: alive, but it cannot take the lock), one while replica A is
 * paused, one with both running and competing. Every batch the engine commits is recorded by a trigger on its
 * state row (test scaffolding, removed with the database): the change-log range it applied, the session that ran
 * it, and (on a PostgreSQL server, where each connection is a backend with its own application_name) who held the
 * engine's advisory lock at that moment. The test shows:
 *  - each change-log row was applied by exactly one batch: the batches' ranges are contiguous, never overlap, and
 *    end at the last change; no compliance row is duplicated and every inventory is stored once;
 *  - both replicas did work (each logged batches while the other was paused) and, on a server, every batch ran
 *    with exactly one lock holder: the session running it;
 *  - the maintained results equal a full recompute, and are the figures the changes should give.
 * On the embedded database (PGlite) every connection shares one backend session, which runs one transaction at a
 * time, so the lock holder cannot be told apart by session there; everything else is checked in both modes.
 */
const root = path.resolve(__dirname, '..');
const server = testDatabaseMode() === 'server';
const LOCK_KEY = advisoryLockKey(COMPLIANCE_JOB);

interface LogEntry extends Record<string, unknown> {
  msg?: string;
  items?: number;
  job?: string;
}

interface Part extends ServiceProcess {
  readonly entries: readonly LogEntry[];
}

/** Every process started, so that none outlives the test even when a later one failed to start. */
const children: ChildProcess[] = [];

async function startPart(name: string, entry: 'registry' | 'audit', env: Record<string, string>): Promise<Part> {
  // Every connection of the process carries its name (node-postgres reads PGAPPNAME), so the database can tell
  // which replica runs a transaction.
  const part = await startServiceProcess(entry, { PGAPPNAME: name, ...env }, { name });
  children.push(part.child);
  return part as Part;
}

function stopPart(part: Part | undefined): Promise<number | null> {
  return new Promise((resolve) => {
    if (!part || part.child.exitCode !== null) return resolve(part?.child.exitCode ?? null);
    const kill = setTimeout(() => part.child.kill('SIGKILL'), 15_000);
    part.child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    part.child.kill('SIGCONT');
    part.child.kill('SIGTERM');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The engine's batches as the trigger recorded them. */
interface BatchRow {
  seq: number;
  app: string;
  old_watermark: string;
  new_watermark: string;
  holders: string[] | null;
}

/**
 * The database the replicas share, migrated, with the recorder installed. On a server, a new database of this test's
 * own; on the embedded database, which only jest's parent process can host, this worker's test database (the
 * recorder is removed afterwards). `startWatermark` is where the engine stood before the replicas started.
 */
async function prepareDatabase(): Promise<{ url: string; startWatermark: number; drop(): Promise<void> }> {
  let url: string;
  let drop: () => Promise<void>;
  if (server) {
    const name = `genuine_two_audit_${process.pid}`;
    const admin = serverAdminUrl();
    await withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`));
    await withClient(admin, (c) => c.query(`create database ${name}`));
    const target = new URL(admin);
    target.pathname = `/${name}`;
    url = target.toString();
    await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'support/migrate-databases.ts'), url], { cwd: root });
    drop = () => withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined);
  } else {
    url = testDatabaseUrl();
    drop = () => withClient(url, (c) => c.query(REMOVE_RECORDER)).then(() => undefined);
  }
  // The recorder: one row per committed update of the engine's state, i.e. per batch, with the lock's holders.
  const u = BigInt.asUintN(64, BigInt(LOCK_KEY));
  const holders = server
    ? `(select array_agg(a.application_name order by a.application_name) from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
           and l.classid = ${u >> 32n}::oid and l.objid = ${u & 0xffffffffn}::oid and l.objsubid = 1)`
    : 'null';
  const startWatermark = await withClient(url, async (c) => {
    await c.query(REMOVE_RECORDER);
    await c.query(`create table public.two_audit_batch (seq bigserial primary key, app text not null, old_watermark bigint not null,
      new_watermark bigint not null, holders text[])`);
    await c.query(`create function public.two_audit_record() returns trigger language plpgsql as $$
      begin
        insert into public.two_audit_batch (app, old_watermark, new_watermark, holders)
        values (current_setting('application_name'), old.change_watermark, new.change_watermark, ${holders});
        return new;
      end $$`);
    await c.query(`create trigger two_audit_record after update on audit.compliance_state for each row execute function public.two_audit_record()`);
    const { rows } = await c.query<{ watermark: string }>(`select change_watermark::text as watermark from audit.compliance_state where id = 1`);
    return Number(rows[0].watermark);
  });
  return { url, startWatermark, drop };
}

const REMOVE_RECORDER = `drop trigger if exists two_audit_record on audit.compliance_state;
  drop function if exists public.two_audit_record(); drop table if exists public.two_audit_batch`;

let db: { url: string; startWatermark: number; drop(): Promise<void> } | undefined;
let registry: Part | undefined;
let replicaA: Part | undefined;
let replicaB: Part | undefined;

afterAll(async () => {
  await Promise.all([stopPart(replicaA), stopPart(replicaB), stopPart(registry)]);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await db?.drop();
}, 60_000);

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return withClient(db?.url ?? '', async (c) => (await c.query(text, params)).rows as T[]);
}

/** Waits until the engine has applied every change-log row and every dirty machine, and nothing is in flight. */
async function settled(): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 600; i++) {
    const [state] = await sql<{ done: boolean; watermark: string; horizon: string; dirty: number }>(
      `select s.evaluated_on is not null and s.change_watermark = h.horizon and d.n = 0 as done, s.change_watermark::text as watermark, h.horizon::text as horizon, d.n as dirty
         from audit.compliance_state s,
              (select coalesce(max(id), 0) as horizon from registry.change_log) h,
              (select count(*)::int as n from audit.compliance_dirty_machine) d`,
    );
    if (state.done) return;
    last = state;
    await sleep(100);
  }
  throw new Error(`the engine did not catch up within 60 s: ${JSON.stringify(last)}`);
}

/**
 * Pauses a replica (SIGSTOP) at a moment it holds no transaction that others would wait for: a probe must get the
 * engine's lock right after the pause. On a server that proves the paused replica is not in a batch; on PGlite,
 * where one session serves every connection, a replica paused inside any transaction would hold up the whole
 * database, which the probe notices by not being answered — then the replica is resumed and paused again.
 */
async function pause(part: Part): Promise<void> {
  const pid = part.child.pid ?? 0;
  for (let attempt = 0; attempt < 100; attempt++) {
    process.kill(pid, 'SIGSTOP');
    const probe = withClient(db?.url ?? '', async (c) => {
      await c.query('begin');
      const { rows } = await c.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1::bigint) as locked', [LOCK_KEY]);
      await c.query('rollback');
      return rows[0].locked;
    });
    const verdict = await Promise.race([probe, sleep(2000).then(() => 'unanswered' as const)]);
    if (verdict === true) return;
    process.kill(pid, 'SIGCONT');
    await probe.catch(() => undefined);
    await sleep(20 + Math.floor(Math.random() * 80));
  }
  throw new Error(`could not pause ${part.name} outside a transaction`);
}

function resume(part: Part): void {
  process.kill(part.child.pid ?? 0, 'SIGCONT');
}

async function alive(part: Part): Promise<number> {
  return (await fetch(new URL('/healthz', part.url))).status;
}

/** Items of the batches a replica logged ("background batch done" is the worker's debug line for a batch that did work). */
const batchesLogged = (part: Part) => part.entries.filter((e) => e.msg === 'background batch done' && e.job === COMPLIANCE_JOB).map((e) => e.items ?? 0);

it('two audit replicas on one database apply every change exactly once, one lock holder per batch, and agree with a full recompute', async () => {
  db = await prepareDatabase();
  registry = await startPart('registry', 'registry', { DATABASE_URL: db.url, LOG_LEVEL: 'info' });
  [replicaA, replicaB] = await Promise.all(
    ['audit-a', 'audit-b'].map((name) => startPart(name, 'audit', { DATABASE_URL: db?.url ?? '', REGISTRY_URL: registry?.url ?? '', LOG_LEVEL: 'debug', GENUINE_BACKGROUND_WORKERS: '1' })),
  );
  const [a, b] = [replicaA, replicaB];
  const reg = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, url = registry?.url ?? ''): Promise<T> => {
    const res = await gql<T>(url, query, variables);
    if (res.body.errors || !res.body.data) throw new Error(`${query}: ${JSON.stringify(res.body.errors)}`);
    return res.body.data;
  };

  // The world, through the registry's API (and a normalization rule through replica A's).
  const run = uniqueCode('two');
  const [east, west] = [`${run}-east`, `${run}-west`];
  await reg(`mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }`, { i: { code: run, name: '南浔区人民政府', kind: 'DISTRICT' } });
  for (const [code, name] of [[east, '区财政局'], [west, '区旅游局']]) {
    await reg(`mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }`, { i: { code, name, kind: 'DEPARTMENT', parentCode: run } });
  }
  const title = `Genuine Two Replicas OS ${run}`;
  const { createProduct } = await reg<{ createProduct: { id: string } }>(`mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
    i: { publisher: 'Test', name: title, category: 'OPERATING_SYSTEM', licensable: true },
  });
  const { createEdition } = await reg<{ createEdition: { id: string } }>(`mutation($i: CreateEditionInput!) { createEdition(input: $i) { id } }`, {
    i: { productId: createProduct.id, name: `${title} Pro`, listPrice: { amount: '1180.00', currency: 'CNY' } },
  });
  await reg(`mutation($i: AddNormalizationRuleInput!) { addNormalizationRule(input: $i) { id } }`, { i: { namePattern: `^${title}$`, editionId: createEdition.id, priority: 5000 } }, a.url);
  const hosts = [...Array.from({ length: 8 }, (_, i) => `${run}-e${i + 1}`), ...Array.from({ length: 8 }, (_, i) => `${run}-w${i + 1}`)];
  const uuids = new Map(hosts.map((h) => [h, randomUUID().toUpperCase()]));
  const homeUnit = (host: string) => (host.startsWith(`${run}-e`) ? east : west);
  const { registerMachines } = await reg<{ registerMachines: Array<{ id: string; hostname: string }> }>(
    `mutation($i: RegisterMachinesInput!) { registerMachines(input: $i) { id hostname } }`,
    { i: { machines: hosts.map((h) => ({ orgUnitCode: homeUnit(h), hostname: h, uuid: uuids.get(h), kind: 'DESKTOP' })) } },
  );
  const machine = (n: string) => registerMachines.find((m) => m.hostname === `${run}-${n}`)?.id ?? '';
  const { recordPurchase } = await reg<{ recordPurchase: { entitlements: Array<{ id: string }> } }>(
    `mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { entitlements { id } } }`,
    {
      i: {
        orgUnitCode: east, supplier: '湖州正信软件有限公司', orderNumber: uniqueCode('PO'), purchasedOn: '2026-05-22', currency: 'CNY',
        lines: [{ editionId: createEdition.id, quantity: 10, unitPrice: '1180.00', type: 'VOLUME' }, ...[1, 2].map(() => ({ editionId: createEdition.id, quantity: 1, unitPrice: '0.00', type: 'OEM' }))],
      },
    },
  );
  const [volume, oem1, oem2] = recordPurchase.entitlements.map((e) => e.id);
  const seat = async (n: string) =>
    (await reg<{ assignLicense: { id: string } }>(`mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { id } }`, { i: { entitlementId: volume, machineId: machine(n) } })).assignLicense.id;
  const inventories = new Map<string, number>();
  const inventory = async (replica: Part, n: string, extra: string[] = []) => {
    const host = `${run}-${n}`;
    const count = (inventories.get(host) ?? 0) + 1;
    inventories.set(host, count);
    const titles = [title, ...extra];
    const xml = `<?xml version="1.0" encoding="UTF-8"?><REQUEST><CONTENT><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${homeUnit(host)}</KEYVALUE></ACCOUNTINFO>
      <HARDWARE><NAME>${host}</NAME><UUID>${uuids.get(host)}</UUID></HARDWARE><BIOS><SSN>${host}</SSN></BIOS>
      ${titles.map((t) => `<SOFTWARES><NAME>${t}</NAME><VERSION>1.0</VERSION><PUBLISHER>Test</PUBLISHER></SOFTWARES>`).join('')}
      </CONTENT><DEVICEID>${host}-2026-11-27-10-00-0${count}</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`;
    const res = await postAgent(new URL(replica.url).origin, deflateSync(Buffer.from(xml, 'utf8')));
    if (res.status !== 200) throw new Error(`${replica.name} refused the inventory of ${host}: ${res.status} ${res.text}`);
  };
  await settled();

  // The batches recorded so far; taken while one replica is paused outside a batch, so the waves split exactly.
  const lastBatch = async () => (await sql<{ seq: number }>(`select coalesce(max(seq), 0)::int as seq from public.two_audit_batch`))[0].seq;

  // Wave 1, replica B paused: every machine's first inventory through replica A, four seats.
  await pause(b);
  const wave1 = await lastBatch();
  for (const n of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8']) await inventory(a, n);
  const seats: Record<string, string> = {};
  for (const n of ['e1', 'e2', 'e3', 'e4']) seats[n] = await seat(n);
  await settled();

  // Wave 2, replica A paused: OEM licenses bound to their machines, two seats, two new inventories through B.
  await pause(a);
  const wave2 = await lastBatch();
  resume(b);
  for (const [entitlementId, n] of [[oem1, 'e5'], [oem2, 'e6']]) {
    await reg(`mutation($i: BindOemEntitlementInput!) { bindOemEntitlement(input: $i) { id } }`, { i: { entitlementId, machineId: machine(n) } });
  }
  for (const n of ['e7', 'e8']) seats[n] = await seat(n);
  for (const n of ['w1', 'w2']) await inventory(b, n, ['腾讯QQ']);
  await settled();

  // Wave 3, both running and competing: revocations, a move, a seat, an unbinding and inventories to either replica, all at once.
  const wave3 = await lastBatch();
  resume(a);
  await Promise.all([
    reg(`mutation($i: RevokeAssignmentInput!) { revokeAssignment(input: $i) { id } }`, { i: { assignmentId: seats.e1 } }),
    reg(`mutation($i: RevokeAssignmentInput!) { revokeAssignment(input: $i) { id } }`, { i: { assignmentId: seats.e2 } }),
    (async () => {
      await reg(`mutation($i: MoveMachineInput!) { moveMachine(input: $i) { id } }`, { i: { machineId: machine('w3'), toOrgUnitCode: east } });
      await seat('w3');
    })(),
    reg(`mutation($i: UnbindOemEntitlementInput!) { unbindOemEntitlement(input: $i) { id } }`, { i: { entitlementId: oem2 } }),
    ...['w4', 'w5', 'w6', 'w7', 'w8', 'e1', 'e2', 'e3'].map((n, i) => inventory(i % 2 === 0 ? a : b, n, ['微信'])),
  ]);
  await settled();
  expect([await alive(a), await alive(b)]).toEqual([200, 200]);

  // Every change-log row was applied by exactly one batch: contiguous, non-overlapping ranges up to the last change.
  const batches = await sql<BatchRow>(`select seq::int as seq, app, old_watermark::text, new_watermark::text, holders from public.two_audit_batch order by seq`);
  const [{ horizon }] = await sql<{ horizon: string }>(`select coalesce(max(id), 0)::text as horizon from registry.change_log`);
  const applied = batches.filter((r) => r.new_watermark !== r.old_watermark).map((r) => [Number(r.old_watermark), Number(r.new_watermark)]);
  expect(applied.length).toBeGreaterThanOrEqual(4);
  expect(applied[0][0]).toBe(db.startWatermark);
  for (let i = 1; i < applied.length; i++) expect([i, applied[i][0]]).toEqual([i, applied[i - 1][1]]);
  for (const [from, to] of applied) expect(to).toBeGreaterThan(from);
  expect(applied[applied.length - 1][1]).toBe(Number(horizon));
  // The watermark never moved backwards, not even in a batch that found nothing to do.
  for (const r of batches) expect(Number(r.new_watermark)).toBeGreaterThanOrEqual(Number(r.old_watermark));

  // Both replicas did work: changes were applied in wave 1, when only A could take the lock, and in wave 2, when only
  // B could; each replica's own worker logged batches that did work.
  const moved = (from: number, to: number) => batches.filter((r) => r.seq > from && r.seq <= to && r.new_watermark !== r.old_watermark).length;
  expect(moved(wave1, wave2)).toBeGreaterThan(0);
  expect(moved(wave2, wave3)).toBeGreaterThan(0);
  for (const replica of [a, b]) expect([replica.name, batchesLogged(replica).some((items) => items > 0)]).toEqual([replica.name, true]);
  if (server) {
    // Each batch ran with exactly one holder of the engine's lock: the session running it, of the replica not paused.
    for (const r of batches) expect({ seq: r.seq, holders: r.holders }).toEqual({ seq: r.seq, holders: [r.app] });
    expect(new Set(batches.filter((r) => r.seq > wave1 && r.seq <= wave2).map((r) => r.app))).toEqual(new Set(['audit-a']));
    expect(new Set(batches.filter((r) => r.seq > wave2 && r.seq <= wave3).map((r) => r.app))).toEqual(new Set(['audit-b']));
    expect(batches.every((r) => r.app === 'audit-a' || r.app === 'audit-b')).toBe(true);
  }

  // Nothing twice: one report per inventory posted, one installation of the title per machine, no duplicate result rows.
  const [stored] = await sql<{ reports: number; installs: number; dupStatus: number; dupInstall: number }>(
    `select (select count(*)::int from audit.inventory_report r join registry.machine m on m.id = r.machine_id where m.hostname like $1) as reports,
            (select count(*)::int from audit.installation i join audit.software_title t on t.id = i.title_id where t.name = $2) as installs,
            (select count(*)::int from (select machine_id, category from audit.compliance_machine_category group by 1, 2 having count(*) > 1) x) as "dupStatus",
            (select count(*)::int from (select machine_id, edition_id from audit.compliance_install group by 1, 2 having count(*) > 1) x) as "dupInstall"`,
    [`${run}-%`, title],
  );
  expect(stored).toEqual({ reports: [...inventories.values()].reduce((s, n) => s + n, 0), installs: 16, dupStatus: 0, dupInstall: 0 });

  // The figures the changes give: in east, seats on e3, e4, e7, e8 and the moved w3, the OEM license on e5; e1, e2
  // lost their seats and e6 its OEM license; west has no license.
  const figures = async () =>
    sql<{ unit: string; status: string; basis: string | null; n: number }>(
      `select u.code as unit, mc.status, ci.basis, count(*)::int as n
         from audit.compliance_machine_category mc join registry.org_unit u on u.id = mc.org_unit_id
         join audit.compliance_install ci on ci.machine_id = mc.machine_id and ci.category = mc.category
        where mc.category = 'OPERATING_SYSTEM' and u.code in ($1, $2) group by 1, 2, 3 order by 1, 2, 3`,
      [east, west],
    );
  expect(await figures()).toEqual([
    { unit: east, status: 'LICENSED', basis: 'DEVICE', n: 5 },
    { unit: east, status: 'LICENSED', basis: 'OEM', n: 1 },
    { unit: east, status: 'UNLICENSED', basis: null, n: 3 },
    { unit: west, status: 'UNLICENSED', basis: null, n: 7 },
  ]);

  // What the two replicas maintained incrementally is exactly what a full recompute gives
  // (Limited to this test's units and machines: on the embedded database the worker's test database holds others'.)
  const units = (await sql<{ id: string }>(`select id from registry.org_unit where code = any($1::text[])`, [[run, east, west]])).map((u) => u.id);
  const machines = registerMachines.map((m) => m.id);
  const snapshot = async () => ({
    installs: await sql(`select * from audit.compliance_install where machine_id = any($1::uuid[]) order by machine_id, edition_id`, [machines]),
    statuses: await sql(`select * from audit.compliance_machine_category where machine_id = any($1::uuid[]) order by machine_id, category`, [machines]),
    unitCategories: await sql(`select * from audit.compliance_unit_category where org_unit_id = any($1::uuid[]) order by org_unit_id, category`, [units]),
    units: await sql(`select * from audit.compliance_unit where org_unit_id = any($1::uuid[]) order by org_unit_id`, [units]),
    positions: await sql(`select * from audit.compliance_position where org_unit_id = any($1::uuid[]) order by org_unit_id, edition_id`, [units]),
  });
  const maintained = await snapshot();
  const orm = await MikroORM.init(auditOrmConfig({ databaseUrl: db.url, poolMax: 2 }));
  try {
    let recomputed = false;
    for (let i = 0; i < 100 && !recomputed; i++) {
      recomputed = (await withAdvisoryXactLock(orm.em, COMPLIANCE_JOB, recomputeEverything)).acquired;
      if (!recomputed) await sleep(100);
    }
    expect(recomputed).toBe(true);
  } finally {
    await orm.close();
  }
  expect(await snapshot()).toEqual(maintained);

  // Both replicas are still serving, and stop cleanly.
  expect([await alive(a), await alive(b)]).toEqual([200, 200]);
  expect(await Promise.all([stopPart(a), stopPart(b)])).toEqual([0, 0]);
}, 300_000);
