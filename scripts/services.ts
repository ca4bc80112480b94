import path from 'node:path';
import type { Options } from '@mikro-orm/postgresql';
import { auditOrmConfig } from '@genuine/audit';
import { registryOrmConfig } from '@genuine/registry';

/** The services that own a PostgreSQL schema, in the order their migrations apply. */
export const migratedServices = {
  registry: { ormConfig: registryOrmConfig, migrationsDir: path.resolve(__dirname, '../services/registry/src/migrations') },
  audit: { ormConfig: auditOrmConfig, migrationsDir: path.resolve(__dirname, '../services/audit/src/migrations') },
} satisfies Record<string, { ormConfig: (o: { databaseUrl: string; poolMax: number }) => Options; migrationsDir: string }>;

export type MigratedService = keyof typeof migratedServices;
export const migratedServiceNames = Object.keys(migratedServices) as MigratedService[];
