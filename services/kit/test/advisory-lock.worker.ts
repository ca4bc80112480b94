/**
 * One competing "replica" for advisory-lock.int.test.ts: applies the queued items of a work table in batches,
 * under the advisory lock (`locked`) or without it (`unlocked`, the control that shows the race is real).
 * argv: <databaseUrl> <table> <worker name> <locked|unlocked>. Prints `ready`, waits for `go` on stdin so that
 * both workers start together, and prints `{"worker":…,"applied":n}` when the queue is empty.
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { defineConfig, MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { createLogger, startLockedWorker } from '../src';

const [databaseUrl, table, worker, mode] = process.argv.slice(2);
if (!databaseUrl || !/^[a-z0-9_]+$/.test(table ?? '') || !worker || (mode !== 'locked' && mode !== 'unlocked')) {
  console.error('usage: advisory-lock.worker.ts <databaseUrl> <table> <worker> <locked|unlocked>');
  process.exit(2);
}

async function main() {
  const orm = await MikroORM.init(
    defineConfig({ clientUrl: databaseUrl, entities: [], discovery: { warnWhenNoEntities: false }, allowGlobalContext: false, pool: { min: 0, max: 2 } }),
  );
  let applied = 0;
  /** One batch: the ten oldest unapplied items; each application leaves an effect row and bumps a counter. */
  const batch = async (tx: EntityManager): Promise<number> => {
    const rows = await tx.execute<Array<{ id: number }>>(`select id from ${table} where applied_count = 0 order by id limit 10`);
    for (const { id } of rows) {
      await tx.execute(`insert into ${table}_effect (item_id, worker) values (?, ?)`, [id, worker]);
      await tx.execute(`update ${table} set applied_count = applied_count + 1 where id = ?`, [id]);
    }
    // Widens the window in which an unguarded second runner would pick the same items.
    if (rows.length) await tx.execute('select pg_sleep(0.01)');
    applied += rows.length;
    return rows.length;
  };

  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

  if (mode === 'locked') {
    let drained = () => undefined as void;
    const empty = new Promise<void>((resolve) => (drained = resolve));
    const job = startLockedWorker({
      orm,
      name: `test-queue:${table}`,
      log: createLogger({ level: 'warn', name: worker }),
      pollMs: 5,
      busyPauseMs: 5,
      batch: async (tx) => {
        const n = await batch(tx);
        if (n === 0) drained();
        return n;
      },
    });
    await empty;
    await job.stop();
  } else {
    while ((await orm.em.fork().transactional(batch)) > 0) await new Promise((r) => setTimeout(r, 5));
  }
  await orm.close();
  process.stdout.write(`${JSON.stringify({ worker, applied })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
