import { Entity, PrimaryKey } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Query, Resolver } from 'type-graphql';
import { buildRegistrySchema } from '@genuine/registry';
import { generateSchemaFiles, staleSchemaFiles } from '../scripts/schema';
import { migratedServiceNames, migratedServices } from '../scripts/services';
import { testDatabaseUrl } from './support/test-database';

describe('schema drift', () => {
  it('the committed SDL files are what the code generates, and they compose', async () => {
    // generateSchemaFiles composes the supergraph and throws on any composition error.
    expect(staleSchemaFiles(await generateSchemaFiles())).toEqual([]);
  });

  it('notices a GraphQL type changed without `npm run schema`', async () => {
    @Resolver()
    class DriftProbeResolver {
      @Query(() => String, { description: 'Exists only in this test.' })
      driftProbe(): string {
        return 'probe';
      }
    }
    const files = await generateSchemaFiles();
    files['registry.graphql'] = (await buildRegistrySchema([DriftProbeResolver])).sdl;
    expect(staleSchemaFiles(files)).toEqual(['registry.graphql']);
  });
});

describe('migration drift', () => {
  it.each(migratedServiceNames)('%s entities match its committed migrations', async (name) => {
    const orm = await MikroORM.init(migratedServices[name].ormConfig({ databaseUrl: testDatabaseUrl(), poolMax: 1 }));
    try {
      expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
    } finally {
      await orm.close();
    }
  });

  it('notices an entity changed without `npm run migration:create`', async () => {
    @Entity({ tableName: 'drift_probe', schema: 'registry' })
    class DriftProbe {
      @PrimaryKey({ type: 'integer' })
      id!: number;
    }
    const config = migratedServices.registry.ormConfig({ databaseUrl: testDatabaseUrl(), poolMax: 1 });
    const orm = await MikroORM.init({ ...config, entities: [...(config.entities ?? []), DriftProbe] });
    try {
      expect(await orm.getMigrator().checkMigrationNeeded()).toBe(true);
    } finally {
      await orm.close();
    }
  });
});
