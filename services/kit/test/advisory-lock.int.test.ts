import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { advisoryLockKey, startLockedWorker, withAdvisoryXactLock, withClient } from '../src';
import { testDatabaseMode, testDatabaseUrl } from '../../../test/support/test-database';

const root = path.resolve(__dirname, '../../..');

interface WorkerResult {
  worker: string;
  applied: number;
}

/** Starts one worker process per name, releases them together once all are ready, and collects their results. */
async function race(table: string, names: string[], mode: 'locked' | 'unlocked'): Promise<WorkerResult[]> {
  const workers = names.map((name) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'services/kit/test/advisory-lock.worker.ts', testDatabaseUrl(), table, name, mode], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<void>((resolve) => lines.on('line', (line) => line === 'ready' && resolve()));
    const result = new Promise<WorkerResult>((resolve, reject) => {
      let last = '';
      lines.on('line', (line) => (last = line));
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(last) as WorkerResult) : reject(new Error(`worker ${name} exited ${code}: ${stderr}`))));
    });
    return { child, ready, result };
  });
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin.end('go\n');
  return Promise.all(workers.map((w) => w.result));
}

async function queue(items: number): Promise<string> {
  const table = `adv_queue_${randomBytes(4).toString('hex')}`;
  await withClient(testDatabaseUrl(), async (c) => {
    await c.query(`create table ${table} (id int primary key, applied_count int not null default 0)`);
    // No unique constraint on purpose: a second application of an item must be visible, not rejected.
    await c.query(`create table ${table}_effect (item_id int not null, worker text not null)`);
    await c.query(`insert into ${table} (id) select generate_series(1, $1::int)`, [items]);
  });
  return table;
}

async function outcome(table: string) {
  return withClient(testDatabaseUrl(), async (c) => {
    const { rows } = await c.query<{ effects: number; items: number; max: number; unapplied: number }>(
      `select (select count(*)::int from ${table}_effect) as effects,
              (select count(distinct item_id)::int from ${table}_effect) as items,
              (select max(applied_count) from ${table}) as max,
              (select count(*)::int from ${table} where applied_count = 0) as unapplied`,
    );
    await c.query(`drop table ${table}, ${table}_effect`);
    return rows[0];
  });
}

describe('background work under an advisory lock', () => {
  it('two processes competing for one queue of 200 items apply each item exactly once', async () => {
    const table = await queue(200);
    const results = await race(table, ['replica-a', 'replica-b'], 'locked');
    expect(await outcome(table)).toEqual({ effects: 200, items: 200, max: 1, unapplied: 0 });
    expect(results.reduce((sum, r) => sum + r.applied, 0)).toBe(200);
    // Both replicas took turns: the lock moved between them, it did not just fall to whoever started first.
    for (const r of results) expect(r.applied).toBeGreaterThan(0);
  }, 90_000);

  // The control: the same workers without the lock do apply items twice, so the test above can fail. PGlite runs
  // every connection's transactions one after another on one backend, so the race only exists on a real server.
  (testDatabaseMode() === 'server' ? it : it.skip)('without the lock the same two processes apply items twice', async () => {
    const table = await queue(200);
    await race(table, ['replica-a', 'replica-b'], 'unlocked');
    const result = await outcome(table);
    expect(result.unapplied).toBe(0);
    expect(result.effects).toBeGreaterThan(200);
  }, 90_000);

  (testDatabaseMode() === 'server' ? it : it.skip)('a held lock makes another transaction skip, and commit releases it', async () => {
    const orm = await MikroORM.init(defineConfig({ clientUrl: testDatabaseUrl(), entities: [], discovery: { warnWhenNoEntities: false }, pool: { min: 0, max: 3 } }));
    const name = `job-${randomBytes(4).toString('hex')}`;
    try {
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let holding = () => undefined as void;
      const held = new Promise<void>((resolve) => (holding = resolve));
      const first = withAdvisoryXactLock(orm.em, name, async () => {
        holding();
        await released;
        return 'first';
      });
      await held;
      expect(await withAdvisoryXactLock(orm.em, name, async () => 'second')).toEqual({ acquired: false });
      // Another job name is a different key: it is not blocked.
      expect(await withAdvisoryXactLock(orm.em, `${name}-other`, async () => 'other')).toEqual({ acquired: true, value: 'other' });
      release();
      expect(await first).toEqual({ acquired: true, value: 'first' });
      expect(await withAdvisoryXactLock(orm.em, name, async () => 'third')).toEqual({ acquired: true, value: 'third' });
    } finally {
      await orm.close();
    }
  });

  it('gathers work for coalesceMs after a busy batch, however often it is woken, and stops at once', async () => {
    const orm = await MikroORM.init(defineConfig({ clientUrl: testDatabaseUrl(), entities: [], discovery: { warnWhenNoEntities: false }, pool: { min: 0, max: 2 } }));
    const runs: Array<{ start: number; end: number; found: number }> = [];
    let busy = 3;
    const worker = startLockedWorker({
      orm,
      name: `coalesce-${randomBytes(4).toString('hex')}`,
      log: pino({ level: 'silent' }),
      pollMs: 60_000,
      coalesceMs: 1000,
      batch: async () => {
        const start = Date.now();
        const found = busy > 0 ? 1 : 0;
        busy -= 1;
        runs.push({ start, end: Date.now(), found });
        return found;
      },
    });
    try {
      // Woken every 20 ms throughout: three busy batches, each starting at least 1 s after the one before ended;
      // after the first idle batch, each wake-up runs one at once (there is nothing to gather).
      const waking = setInterval(() => worker.wake(), 20);
      await new Promise((resolve) => setTimeout(resolve, 3500));
      clearInterval(waking);
      expect(runs.slice(0, 4).map((r) => r.found)).toEqual([1, 1, 1, 0]);
      for (let i = 1; i < 4; i++) expect(runs[i].start - runs[i - 1].end).toBeGreaterThanOrEqual(995);
      expect(runs.length).toBeGreaterThan(6);
      // (Bounds far from the pause, so that a slow machine cannot fail them.)
      for (let i = 5; i < runs.length; i++) expect(runs[i].start - runs[i - 1].end).toBeLessThan(500);
      // Stopping during the pause after a busy batch does not wait the pause out.
      busy = 1;
      worker.wake();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(runs[runs.length - 1].found).toBe(1);
      const stopping = Date.now();
      await worker.stop();
      expect(Date.now() - stopping).toBeLessThan(500);
    } finally {
      await worker.stop();
      await orm.close();
    }
  });

  it('derives a stable signed 64-bit key per job name', () => {
    const key = advisoryLockKey('audit:change-log');
    expect(advisoryLockKey('audit:change-log')).toBe(key);
    expect(advisoryLockKey('audit:expiry-sweep')).not.toBe(key);
    expect(BigInt(key) >= -(2n ** 63n) && BigInt(key) < 2n ** 63n).toBe(true);
  });
});
