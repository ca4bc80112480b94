import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from 'jest';
import { prepareTestDatabases, type PreparedDatabases } from './test-database';

const run = promisify(execFile);

/** Migrations run in a child process (see migrate-databases.ts for why). */
async function migrate(url: string): Promise<void> {
  await run(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'migrate-databases.ts'), url], { cwd: path.resolve(__dirname, '../..') });
}

declare global {
  var __genuineTestDatabases: PreparedDatabases | undefined;
}

/** Prepares one migrated database per jest worker; their URLs reach the workers through the environment. */
export default async function globalSetup(globalConfig: Config): Promise<void> {
  const workers = Math.max(1, Number(globalConfig.maxWorkers ?? 2));
  const prepared = await prepareTestDatabases(workers, migrate);
  prepared.urls.forEach((url, i) => {
    process.env[`GENUINE_TEST_DATABASE_URL_${i + 1}`] = url;
  });
  process.env.GENUINE_TEST_DB_MODE = prepared.mode;
  globalThis.__genuineTestDatabases = prepared;
  process.stdout.write(`\ntest databases: ${prepared.mode === 'server' ? 'PostgreSQL server' : 'embedded PGlite'} x${workers}\n`);
}
