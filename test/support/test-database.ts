import { isDatabaseReachable, startEmbeddedPostgres, withClient, type EmbeddedPostgres } from '@genuine/kit';

/*
 * How tests find a database: PostgreSQL at DATABASE_URL, or at 127.0.0.1:5432 (database `test`), when one answers;
 * otherwise an embedded PGlite per jest worker. GENUINE_TEST_DB=embedded forces the embedded one, so both paths
 * can be exercised on a machine that has a server. Each worker gets its own database, migrated once per run.
 */

export const DEFAULT_TEST_SERVER = 'postgres://postgres@127.0.0.1:5432/test';

export function serverAdminUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_TEST_SERVER;
}

/** The database of the current jest worker, prepared by globalSetup. */
export function testDatabaseUrl(): string {
  const url = process.env[`GENUINE_TEST_DATABASE_URL_${process.env.JEST_WORKER_ID ?? '1'}`];
  if (!url) throw new Error('No test database: run tests through jest (globalSetup prepares one per worker)');
  return url;
}

export function testDatabaseMode(): 'server' | 'embedded' {
  return process.env.GENUINE_TEST_DB_MODE === 'server' ? 'server' : 'embedded';
}

export interface PreparedDatabases {
  mode: 'server' | 'embedded';
  urls: string[];
  dispose(): Promise<void>;
}

export async function prepareTestDatabases(workers: number, migrate: (url: string) => Promise<unknown>): Promise<PreparedDatabases> {
  const admin = serverAdminUrl();
  const useServer = process.env.GENUINE_TEST_DB !== 'embedded' && (await isDatabaseReachable(admin, 1500));
  if (useServer) {
    await dropStaleTestDatabases(admin);
    const names = Array.from({ length: workers }, (_, i) => `genuine_test_${process.pid}_${i + 1}`);
    const urls: string[] = [];
    for (const name of names) {
      await withClient(admin, (c) => c.query(`create database ${name}`));
      const url = new URL(admin);
      url.pathname = `/${name}`;
      urls.push(url.toString());
    }
    await Promise.all(urls.map((u) => migrate(u)));
    return {
      mode: 'server',
      urls,
      dispose: async () => {
        for (const name of names) await withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`));
      },
    };
  }
  const instances: EmbeddedPostgres[] = [];
  for (let i = 0; i < workers; i++) instances.push(await startEmbeddedPostgres({ maxConnections: 64 }));
  for (const instance of instances) await migrate(instance.url);
  return {
    mode: 'embedded',
    urls: instances.map((i) => i.url),
    dispose: async () => {
      for (const instance of instances) await instance.stop();
    },
  };
}

/** Databases left by runs whose process is gone (a killed run cannot clean up after itself). */
async function dropStaleTestDatabases(admin: string): Promise<void> {
  await withClient(admin, async (c) => {
    const { rows } = await c.query<{ datname: string }>(`select datname from pg_database where datname like 'genuine\\_test\\_%'`);
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (Number.isInteger(pid) && !processAlive(pid)) await c.query(`drop database if exists ${datname} with (force)`);
    }
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
