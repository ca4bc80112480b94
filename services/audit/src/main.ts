/**
 * The audit subgraph alone, as a container or a Kubernetes pod runs it (`npm start` runs all three parts in one
 * process instead, through scripts/stack.ts). Migrations are a separate step (`migrate`); this refuses to serve a
 * database that has pending ones.
 */
import { AdminTokenVerifier, Authenticator, ConfigError, createLogger, loadConfig, scrubSql, startSubgraphService } from '@genuine/kit';
import { auditService } from './server';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main() {
  // eslint-disable-next-line no-restricted-properties -- the composition root hands the environment to loadConfig, once (STYLE 9)
  const config = loadConfig(process.env);
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: required to run the audit service on its own (a PostgreSQL URL)']);
  const log = createLogger({ level: config.logLevel, name: 'audit' });
  const authenticator = new Authenticator(config.adminToken ? [new AdminTokenVerifier(config.adminToken)] : []);
  const service = await startSubgraphService(
    auditService({
      databaseUrl: config.databaseUrl,
      readUrl: config.databaseReadUrl,
      poolMax: config.databasePoolMax,
      log,
      // The agent endpoint registers unknown machines through the registry's API, wherever it runs.
      agents: { authenticator, registryUrl: config.registryUrl },
    }),
    { production: config.production, authenticator, log, port: config.ports.audit, host: config.host },
  );
  const pending = await service.orm.getMigrator().getPendingMigrations();
  if (pending.length > 0) {
    await service.stop();
    throw new Error(`The database has ${pending.length} pending audit migration(s); run the migrate step first`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `audit failed to start: ${err instanceof Error ? scrubSql(err.message) : String(err)}`);
  process.exit(1);
});
