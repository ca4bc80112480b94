import type { MikroORM } from '@mikro-orm/postgresql';

/** Applies every pending migration of one service, in one transaction (`allOrNothing`). */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** True when the service's entities differ from its committed migrations' snapshot. */
export async function hasMigrationDrift(orm: MikroORM): Promise<boolean> {
  return orm.getMigrator().checkMigrationNeeded();
}
