import { isDatabaseReachable, startEmbeddedPostgres, withClient } from '@genuine/kit';
import { migrateAll } from '../../scripts/migrations';

/** Where the bench finds a PostgreSQL server: BENCH_DATABASE_URL's or DATABASE_URL's server, else the local one. */
export function benchServerUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface BenchDatabase {
  /** URL of the freshly migrated bench database. */
  readonly url: string;
  readonly mode: 'server' | 'embedded';
  /** PostgreSQL's version string. */
  readonly version: string;
  dispose(): Promise<void>;
}

/**
 * A bench database of its own, created empty and migrated with the services' real migrations, so every table the
 * bench loads is exactly the one the code reads. On a server it is `genuine_bench` (dropped and recreated each
 * run, dropped at the end unless `keep`; `genuine_bench_<pid>` when not kept, `BENCH_DATABASE_NAME` overrides); without a server, an in-memory embedded PostgreSQL (PGlite) — slower by
 * nature, so its figures are not comparable with a server's.
 */
export async function prepareBenchDatabase(options: { keep: boolean; forceEmbedded?: boolean }): Promise<BenchDatabase> {
  const admin = benchServerUrl();
  if (!options.forceEmbedded && (await isDatabaseReachable(admin, 1500))) {
    // A kept database has a fixed name so other work can find it; a throwaway one is named after this process,
    // so two benches on one server (CI and a developer, or two branches) never drop each other's database.
    const name = process.env.BENCH_DATABASE_NAME || (options.keep ? 'genuine_bench' : `genuine_bench_${process.pid}`);
    await withClient(admin, async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
      await c.query(`create database ${name}`);
    });
    const url = new URL(admin);
    url.pathname = `/${name}`;
    await migrateAll(url.toString());
    const version = await withClient(url.toString(), async (c) => (await c.query<{ v: string }>('select version() as v')).rows[0].v);
    return {
      url: url.toString(),
      mode: 'server',
      version,
      dispose: async () => {
        if (!options.keep) await withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`));
      },
    };
  }
  const embedded = await startEmbeddedPostgres({ maxConnections: 64 });
  await migrateAll(embedded.url);
  const version = await withClient(embedded.url, async (c) => (await c.query<{ v: string }>('select version() as v')).rows[0].v);
  return { url: embedded.url, mode: 'embedded', version, dispose: () => embedded.stop() };
}
