import type { Logger, SubgraphServiceSpec } from '@genuine/kit';
import { createAuditContext, type AuditContext } from './context';
import { auditOrmConfig } from './orm.config';
import { buildAuditSchema } from './schema';

/** The audit subgraph as the runtime starts it. */
export function auditService(db: { databaseUrl: string; readUrl?: string; poolMax: number; log?: Logger }): SubgraphServiceSpec<AuditContext> {
  return {
    name: 'audit',
    orm: auditOrmConfig(db),
    buildSchema: buildAuditSchema,
    createContext: createAuditContext,
  };
}
