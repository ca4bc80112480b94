/** Starts the embedded database (PGlite behind its socket) in its own process and prints its URL; stops on SIGTERM. */
import { startEmbeddedPostgres } from '@genuine/kit';

startEmbeddedPostgres({ maxConnections: 8 }).then((db) => {
  process.stdout.write(`embedded postgres: ${db.url}\n`);
  process.on('SIGTERM', () => {
    void db.stop().then(() => process.exit(0));
  });
});
