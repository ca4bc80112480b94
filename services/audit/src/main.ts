/**
 * The audit subgraph alone, as a container or a Kubernetes pod runs it (`npm start` runs all three parts in one
 * process instead, through scripts/stack.ts). Migrations are a separate step (`migrate`); this refuses to serve a
 * database that has pending ones. Every replica may run the compliance worker (GENUINE_BACKGROUND_WORKERS):
 * an advisory lock lets one of them work at a time.
 */
import { ConfigError, createAuthenticator, createLogger, loadConfig, runMain, startSubgraphService, stopOnSignals } from '@genuine/kit';
import { auditService } from './server';

runMain('audit', async () => {
  // eslint-disable-next-line no-restricted-properties -- the composition root hands the environment to loadConfig, once (STYLE 9)
  const config = loadConfig(process.env);
  const { databaseUrl } = config;
  if (!databaseUrl) throw new ConfigError(['DATABASE_URL: required to run the audit service on its own (a PostgreSQL URL)']);
  const log = createLogger({ level: config.logLevel, name: 'audit' });
  const auth = createAuthenticator({ databaseUrl, adminToken: config.adminToken, jwt: config.jwt });
  const service = await startSubgraphService(
    auditService({
      databaseUrl,
      readUrl: config.databaseReadUrl,
      poolMax: config.databasePoolMax,
      log,
      // The agent endpoint registers unknown machines through the registry's API, wherever it runs.
      agents: { authenticator: auth.authenticator, registryUrl: config.registryUrl, readerThreads: config.ingestThreads },
      backgroundWorkers: config.backgroundWorkers,
    }),
    { production: config.production, authenticator: auth.authenticator, log, port: config.ports.audit, host: config.host },
  );
  const stop = async () => {
    await service.stop();
    await auth.close();
  };
  const pending = await service.orm.getMigrator().getPendingMigrations();
  if (pending.length > 0) {
    await stop();
    throw new Error(`The database has ${pending.length} pending audit migration(s); run the migrate step first`);
  }
  stopOnSignals(stop, log);
});
