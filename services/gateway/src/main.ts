/**
 * The gateway alone, as a container or a Kubernetes pod runs it, in front of subgraphs at REGISTRY_URL and
 * AUDIT_URL (`npm start` runs all three parts in one process instead, through scripts/stack.ts). It needs
 * DATABASE_URL to verify API tokens; `/readyz` checks the database and both subgraphs.
 */
import { ConfigError, createAuthenticator, createLogger, isDatabaseReachable, loadConfig, runMain, stopOnSignals } from '@genuine/kit';
import { loadSupergraph } from './composition';
import { startGateway } from './gateway';

runMain('gateway', async () => {
  // eslint-disable-next-line no-restricted-properties -- the composition root hands the environment to loadConfig, once (STYLE 9)
  const config = loadConfig(process.env);
  const { databaseUrl } = config;
  if (!databaseUrl) throw new ConfigError(['DATABASE_URL: required by the gateway to verify API tokens (a PostgreSQL URL)']);
  const log = createLogger({ level: config.logLevel, name: 'gateway' });
  const auth = createAuthenticator({ databaseUrl, adminToken: config.adminToken, jwt: config.jwt });
  const gateway = await startGateway(
    {
      supergraphSdl: loadSupergraph(),
      subgraphUrls: { registry: config.registryUrl, audit: config.auditUrl },
      authenticator: auth.authenticator,
      production: config.production,
      introspection: config.introspection,
      corsOrigins: config.corsOrigins,
      rateLimitPerMinute: config.rateLimitPerMinute,
      log,
      databaseReady: async () => {
        if (!(await isDatabaseReachable(databaseUrl, 2000))) throw new Error('database unreachable');
      },
    },
    config.ports.gateway,
    config.host,
  );
  stopOnSignals(async () => {
    await gateway.stop();
    await auth.close();
  }, log);
});
