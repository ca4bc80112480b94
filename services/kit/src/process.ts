import type { Logger } from 'pino';
import { ConfigError } from './config';
import { scrubSql } from './logger';

/**
 * Stops the process cleanly on SIGTERM or SIGINT: `stop` drains and closes, then the process exits 0; past the
 * deadline (10 s, what orchestrators wait before SIGKILL) it exits 1 rather than hang.
 */
export function stopOnSignals(stop: () => Promise<void>, log: Logger, deadlineMs = 10_000): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error(`shutdown took longer than ${deadlineMs / 1000} s; exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    stop().then(
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

/** Runs an entry point; a failure to start prints one clear line (every bad variable for config) and exits 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`${name} failed to start: ${err instanceof Error ? scrubSql(err.message) : String(err)}`);
    process.exit(1);
  });
}
