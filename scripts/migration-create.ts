/**
 * Generates a migration for one service from the difference between its entities and its committed snapshot:
 *   npm run migration:create -- registry [name] [--blank]
 * It applies the committed migrations to a scratch database first, then writes the new file, the snapshot and
 * the migrations index. Review the SQL before committing.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { withClient } from '@genuine/kit';
import { writeMigrationIndex } from './migration-index';
import { migrateAll } from './migrations';
import { migratedServiceNames, migratedServices, type MigratedService } from './services';

async function main() {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const blank = process.argv.includes('--blank');
  const service = args[0] as MigratedService;
  if (!migratedServiceNames.includes(service)) {
    throw new Error(`usage: npm run migration:create -- <${migratedServiceNames.join('|')}> [name] [--blank]`);
  }
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const scratch = `genuine_migration_${process.pid}`;
  await withClient(adminUrl, (c) => c.query(`create database ${scratch}`));
  const scratchUrl = new URL(adminUrl);
  scratchUrl.pathname = `/${scratch}`;
  try {
    await migrateAll(scratchUrl.toString());
    const { ormConfig, migrationsDir } = migratedServices[service];
    const orm = await MikroORM.init(ormConfig({ databaseUrl: scratchUrl.toString(), poolMax: 2 }));
    try {
      const result = await orm.getMigrator().createMigration(undefined, blank, false, args[1]);
      if (!result.fileName) console.log(`${service}: entities match the snapshot; no migration needed`);
      else console.log(`${service}: wrote ${result.fileName}`);
    } finally {
      await orm.close();
    }
    writeMigrationIndex(migrationsDir);
  } finally {
    await withClient(adminUrl, (c) => c.query(`drop database if exists ${scratch} with (force)`));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
