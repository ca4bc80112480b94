import { SecretBox, type Logger, type SubgraphServiceSpec } from '@genuine/kit';
import { createRegistryContext, type RegistryContext } from './context';
import { registryOrmConfig } from './orm.config';
import { buildRegistrySchema } from './schema';

/**
 * The registry subgraph as the runtime starts it. `licenseKeySecret` (GENUINE_LICENSE_KEY_SECRET) seals license
 * keys; without it the service runs, but adding or revealing a key fails.
 */
export function registryService(db: {
  databaseUrl: string;
  readUrl?: string;
  poolMax: number;
  log?: Logger;
  licenseKeySecret?: string;
}): SubgraphServiceSpec<RegistryContext> {
  const { licenseKeySecret, ...orm } = db;
  const secretBox = licenseKeySecret ? new SecretBox(licenseKeySecret) : null;
  return {
    name: 'registry',
    orm: registryOrmConfig(orm),
    buildSchema: buildRegistrySchema,
    createContext: (args) => createRegistryContext({ ...args, secretBox }),
  };
}
