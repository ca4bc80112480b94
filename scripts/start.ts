/**
 * `npm start`: the whole system on one machine. Without DATABASE_URL it runs on an embedded PostgreSQL kept
 * under GENUINE_DATA_DIR; with it, on that server (after `npm run migrate`).
 */
import { ConfigError, createLogger, loadConfig, scrubSql } from '@genuine/kit';
import { startStack } from './stack';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main() {
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.logLevel, name: 'genuine' });
  const stack = await startStack({ config, log });

  const banner = [
    '',
    `Genuine is running: ${stack.graphqlUrl}`,
    `  database: ${stack.embedded ? `embedded PostgreSQL under ${config.dataDir}` : 'PostgreSQL at DATABASE_URL'}`,
    stack.adminToken ? `  admin token: ${stack.adminToken}` : '  no admin token (set GENUINE_ADMIN_TOKEN)',
    stack.adminToken
      ? `  try: curl -s ${stack.graphqlUrl} -H 'authorization: Bearer ${stack.adminToken}' -H 'content-type: application/json' -d '{"query":"{ orgUnit(code: \\"nanxun\\") { name children { code name } } }"}'`
      : '',
    '',
  ];
  process.stdout.write(banner.join('\n'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    stack.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
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
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(`Genuine failed to start: ${err instanceof Error ? scrubSql(err.message) : String(err)}`);
  process.exit(1);
});
