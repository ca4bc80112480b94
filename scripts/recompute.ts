/**
 * `npm run recompute`: recomputes every compliance figure from scratch, under the engine's lock, against
 * DATABASE_URL (a running `npm start` on the embedded database can do the same through the ADMIN mutation
 * `recomputeCompliance`).
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, runMain, withAdvisoryXactLock } from '@genuine/kit';
import { auditOrmConfig } from '@genuine/audit';
import { COMPLIANCE_JOB, recomputeEverything } from '@genuine/audit/src/compliance/compliance.worker';

runMain('recompute', async () => {
  const config = loadConfig(process.env);
  if (!config.databaseUrl) throw new Error('Set DATABASE_URL (with the embedded database, use the recomputeCompliance mutation of the running API)');
  const orm = await MikroORM.init(auditOrmConfig({ databaseUrl: config.databaseUrl, poolMax: 2 }));
  try {
    const started = Date.now();
    const run = await withAdvisoryXactLock(orm.em, COMPLIANCE_JOB, recomputeEverything);
    console.log(run.acquired ? `recomputed ${run.value} machines in ${Date.now() - started} ms` : 'another recompute is running; try again');
  } finally {
    await orm.close();
  }
});
