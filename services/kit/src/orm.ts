import { DataloaderType, ReflectMetadataProvider, type MigrationObject } from '@mikro-orm/core';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from 'pino';

/** The PostgreSQL schemas of the database; each service owns one and leaves the others alone. */
export const SERVICE_SCHEMAS = ['registry', 'registry_public', 'audit'] as const;

export interface ServiceOrmOptions {
  /** The PostgreSQL schema this service owns, e.g. `registry`. */
  schema: 'registry' | 'audit';
  entities: Array<new (...args: never[]) => object>;
  migrationsDir: string;
  migrationsList: MigrationObject[];
  databaseUrl: string;
  readUrl?: string;
  poolMax: number;
  log?: Logger;
}

/**
 * MikroORM defaults every service shares: the entity dataloader on, one PostgreSQL schema per service with the
 * others ignored by the schema diff (so a service's migration never drops another's tables), committed
 * migrations with a snapshot, UTC timestamps, and no global entity manager (every request forks its own).
 */
export function serviceOrmConfig(o: ServiceOrmOptions): Options {
  return defineConfig({
    clientUrl: o.databaseUrl,
    replicas: o.readUrl ? [{ name: 'read-1', clientUrl: o.readUrl }] : undefined,
    // Replica reads only where a repository asks for them (read-replica.ts): read-your-own-write holds elsewhere.
    preferReadReplicas: false,
    schema: o.schema,
    entities: o.entities,
    metadataProvider: ReflectMetadataProvider,
    discovery: { warnWhenNoEntities: false },
    dataloader: DataloaderType.ALL,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    ensureDatabase: false,
    pool: { min: 0, max: o.poolMax, idleTimeoutMillis: 10_000 },
    debug: false,
    logger: (message: string) => o.log?.debug({ orm: true }, message),
    schemaGenerator: {
      ignoreSchema: SERVICE_SCHEMAS.filter((s) => s !== o.schema),
      disableForeignKeys: false,
    },
    extensions: [Migrator],
    migrations: {
      path: o.migrationsDir,
      pathTs: o.migrationsDir,
      migrationsList: o.migrationsList,
      tableName: `${o.schema}.mikro_orm_migrations`,
      snapshot: true,
      snapshotName: '.snapshot',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      fileName: (timestamp: string, name?: string) => `Migration${timestamp}${name ? `_${name}` : ''}`,
    },
  });
}
