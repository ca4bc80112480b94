import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  createAuthenticator,
  isDatabaseReachable,
  startEmbeddedPostgres,
  startSubgraphService,
  type Config,
  type EmbeddedPostgres,
  type Logger,
  type RunningService,
  type RunningServer,
  generateSecretKey,
} from '@genuine/kit';
import { auditService } from '@genuine/audit';
import { loadSupergraph, startGateway } from '@genuine/gateway';
import { registryService } from '@genuine/registry';
import { loadDefaultCatalogue } from './catalogue';
import { deferBackground, loadDemo } from './demo';
import { ensureDemoTokens, type DemoToken } from './demo/tokens';
import { migrateAll, pendingMigrations } from './migrations';

export interface Stack {
  readonly graphqlUrl: string;
  readonly databaseUrl: string;
  readonly embedded: boolean;
  readonly adminToken: string | undefined;
  /** One token per role over the demo's units, when the demo is loaded. */
  readonly demoTokens: DemoToken[];
  readonly registry: RunningService;
  readonly audit: RunningService;
  readonly gateway: RunningServer;
  stop(): Promise<void>;
}

export interface StackOptions {
  config: Config;
  log: Logger;
  /** Overrides the configured ports (0 picks free ones), for tests. */
  ports?: { gateway: number; registry: number; audit: number };
  /** An embedded database kept in memory instead of under GENUINE_DATA_DIR, for tests. */
  inMemory?: boolean;
}

/**
 * The whole system in one process: the database (the configured server, or an embedded PGlite), migrations, both
 * subgraphs, the gateway, and the demo data on first start. `stop` shuts them down in reverse order.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { config, log } = options;
  const ports = options.ports ?? config.ports;
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    let embedded: EmbeddedPostgres | undefined;
    if (databaseUrl) {
      if (!(await isDatabaseReachable(databaseUrl, 5000))) throw new Error('DATABASE_URL is set but no PostgreSQL answers there');
      const pending = await pendingMigrations(databaseUrl);
      if (pending.length > 0) {
        throw new Error(`The database has ${pending.length} pending migration(s); run \`npm run migrate\` first`);
      }
    } else {
      const started = await startEmbeddedPostgres({
        dataDir: options.inMemory ? undefined : config.dataDir,
        maxConnections: 3 * config.databasePoolMax + 8,
        log,
      });
      embedded = started;
      stoppers.push(() => started.stop());
      databaseUrl = started.url;
      const applied = await migrateAll(databaseUrl);
      log.info({ applied }, 'migrations applied');
    }

    const adminToken = config.adminToken ?? (embedded && !options.inMemory ? developmentAdminToken(config.dataDir) : undefined);
    const auth = createAuthenticator({ databaseUrl, adminToken, jwt: config.jwt });
    stoppers.push(() => auth.close());
    const authenticator = auth.authenticator;
    const db = { databaseUrl, readUrl: config.databaseReadUrl, poolMax: config.databasePoolMax };
    const runtime = { production: config.production, authenticator, host: config.host };

    const licenseKeySecret =
      config.licenseKeySecret ?? (embedded ? (options.inMemory ? generateSecretKey() : developmentLicenseKeySecret(config.dataDir)) : undefined);
    if (!licenseKeySecret) log.warn('GENUINE_LICENSE_KEY_SECRET is not set: license keys can be neither added nor read');
    const registry = await startSubgraphService(registryService({ ...db, log: log.child({ component: 'registry' }), licenseKeySecret }), {
      ...runtime,
      log: log.child({ component: 'registry' }),
      port: ports.registry,
    });
    stoppers.push(() => registry.stop());
    const auditSpec = auditService({ ...db, log: log.child({ component: 'audit' }), agents: { authenticator, registryUrl: registry.url, readerThreads: config.ingestThreads }, backgroundWorkers: config.backgroundWorkers });
    // The demo ends with a full recompute: the engine's worker starts after it, rather than chasing every insert.
    const demoFirst = config.demo ? deferBackground(auditSpec) : undefined;
    const audit = await startSubgraphService(auditSpec, {
      ...runtime,
      log: log.child({ component: 'audit' }),
      port: ports.audit,
    });
    stoppers.push(() => audit.stop());
    const gateway = await startGateway(
      {
        supergraphSdl: loadSupergraph(),
        subgraphUrls: { registry: registry.url, audit: audit.url },
        authenticator,
        production: config.production,
        introspection: config.introspection,
        corsOrigins: config.corsOrigins,
        rateLimitPerMinute: config.rateLimitPerMinute,
        log: log.child({ component: 'gateway' }),
        databaseReady: async () => {
          await registry.orm.em.getConnection().execute('select 1');
        },
        // One process: agent requests reach the audit service in memory, not over a second HTTP hop.
        localAgentEndpoint: auditSpec.localAgentEndpoint(),
      },
      ports.gateway,
      config.host,
    );
    stoppers.push(() => gateway.stop());

    await loadDefaultCatalogue(registry.orm, audit.orm, log);
    let demoTokens: DemoToken[] = [];
    if (config.demo) {
      await loadDemo(registry.orm, audit.orm, log);
      demoFirst?.start();
      demoTokens = await ensureDemoTokens(registry.orm, config.dataDir, log);
    }

    return {
      graphqlUrl: gateway.url,
      databaseUrl,
      embedded: embedded !== undefined,
      adminToken,
      demoTokens,
      registry,
      audit,
      gateway,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Without GENUINE_LICENSE_KEY_SECRET, the embedded (development) mode makes the key that seals license keys once
 * and keeps it under GENUINE_DATA_DIR beside the data it protects: losing it would make the stored keys unreadable.
 */
function developmentLicenseKeySecret(dataDir: string): string {
  const file = path.resolve(dataDir, 'license-key-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = generateSecretKey();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * Without GENUINE_ADMIN_TOKEN, the embedded (development) mode makes an admin token once and keeps it under
 * GENUINE_DATA_DIR so that it survives restarts, like the data does.
 */
function developmentAdminToken(dataDir: string): string {
  const file = path.resolve(dataDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const token = `gen_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

