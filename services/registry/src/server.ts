import type { Logger, SubgraphServiceSpec } from '@genuine/kit';
import { createRegistryContext, type RegistryContext } from './context';
import { registryOrmConfig } from './orm.config';
import { buildRegistrySchema } from './schema';

/** The registry subgraph as the runtime starts it. */
export function registryService(db: { databaseUrl: string; readUrl?: string; poolMax: number; log?: Logger }): SubgraphServiceSpec<RegistryContext> {
  return {
    name: 'registry',
    orm: registryOrmConfig(db),
    buildSchema: buildRegistrySchema,
    createContext: createRegistryContext,
  };
}
