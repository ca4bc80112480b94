import { MikroORM } from '@mikro-orm/postgresql';
import { migrate } from '@genuine/kit';
import { migratedServiceNames, migratedServices } from './services';

/**
 * Applies every service's pending migrations to `databaseUrl`, registry first (audit reads its views). The
 * snapshot is switched off here: MikroORM would otherwise rewrite the committed `.snapshot.json` from the database
 * after applying, and only `npm run migration:create` should write it.
 */
export async function migrateAll(databaseUrl: string): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const name of migratedServiceNames) {
    const config = migratedServices[name].ormConfig({ databaseUrl, poolMax: 2 });
    const orm = await MikroORM.init({ ...config, migrations: { ...config.migrations, snapshot: false } });
    try {
      applied[name] = await migrate(orm);
    } finally {
      await orm.close();
    }
  }
  return applied;
}

/** Names of the migrations not yet applied to `databaseUrl`, over every service. */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const pending: string[] = [];
  for (const name of migratedServiceNames) {
    const orm = await MikroORM.init(migratedServices[name].ormConfig({ databaseUrl, poolMax: 1 }));
    try {
      pending.push(...(await orm.getMigrator().getPendingMigrations()).map((m) => `${name}/${m.name}`));
    } finally {
      await orm.close();
    }
  }
  return pending;
}
