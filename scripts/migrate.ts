/** `npm run migrate`: applies every service's pending migrations to the server at DATABASE_URL. */
import { ConfigError, loadConfig, scrubSql } from '@genuine/kit';
import { migrateAll } from './migrations';

async function main() {
  const config = loadConfig(process.env);
  if (!config.databaseUrl) throw new Error('Set DATABASE_URL to the PostgreSQL server to migrate (the embedded database migrates itself on start)');
  const applied = await migrateAll(config.databaseUrl);
  for (const [service, names] of Object.entries(applied)) {
    console.log(`${service}: ${names.length ? names.join(', ') : 'up to date'}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `Migration failed: ${err instanceof Error ? scrubSql(err.message) : String(err)}`);
  process.exit(1);
});
