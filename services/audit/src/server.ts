import { createLogger, type Authenticator, type Logger, type SubgraphServiceSpec } from '@genuine/kit';
import { startComplianceWorker } from './compliance/compliance.worker';
import { createAuditContext, type AuditContext } from './context';
import { mountAgentEndpoint, type AgentAnswer, type AgentEndpoint, type AgentRequest } from './ingest/agent.route';
import { HttpMachineRegistrar } from './ingest/machine-registrar';
import { auditOrmConfig } from './orm.config';
import { buildAuditSchema } from './schema';

export interface AuditServiceOptions {
  databaseUrl: string;
  readUrl?: string;
  poolMax: number;
  log?: Logger;
  /**
   * The agent endpoint (`POST /ocsinventory`): how agents' Basic credentials are verified, and where the registry's
   * GraphQL API is, to register the machines agents report. Without it the endpoint is not mounted.
   */
  agents?: { authenticator: Authenticator; registryUrl: string; readerThreads?: number };
  /** Run the compliance engine's worker in this process (default true); any number of replicas may. */
  backgroundWorkers?: boolean;
}

/** The audit subgraph as the runtime starts it. */
export interface AuditServiceSpec extends SubgraphServiceSpec<AuditContext> {
  /**
   * The agent endpoint for a gateway in the same process (`npm start`), which then hands agent requests over in
   * memory instead of relaying them over HTTP; undefined until the service has started, or without `agents`.
   */
  localAgentEndpoint(): ((request: AgentRequest) => Promise<AgentAnswer>) | undefined;
}

export function auditService(options: AuditServiceOptions): AuditServiceSpec {
  const { agents, backgroundWorkers = true, ...db } = options;
  let endpoint: AgentEndpoint | undefined;
  return {
    localAgentEndpoint: () => {
      const started = endpoint;
      return started ? (request) => started.handle(request) : undefined;
    },
    name: 'audit',
    orm: auditOrmConfig(db),
    buildSchema: buildAuditSchema,
    createContext: createAuditContext,
    // Every replica starts the engine's worker; an advisory lock lets one of them run a batch at a time.
    background: backgroundWorkers
      ? (orm) => startComplianceWorker(orm, (options.log ?? createLogger({ level: 'info', name: 'audit' })).child({ component: 'compliance' }))
      : undefined,
    close: async () => {
      await endpoint?.close();
    },
    routes: (app, orm) => {
      if (!agents) {
        options.log?.warn('no agent options: POST /ocsinventory is not served');
        return;
      }
      const log = (options.log ?? createLogger({ level: 'info', name: 'audit' })).child({ component: 'agents' });
      endpoint = mountAgentEndpoint(app, {
        orm,
        authenticator: agents.authenticator,
        registrar: new HttpMachineRegistrar(agents.registryUrl, log),
        log,
        readerThreads: agents.readerThreads,
      });
    },
  };
}
