/**
 * An extra embedded PostgreSQL in its own process, for tests that need a second database when no server runs
 * (PGlite cannot start inside jest's module sandbox). Prints its URL, stops when stdin closes.
 */
import { startEmbeddedPostgres } from '../src/embedded-postgres';

async function main() {
  const db = await startEmbeddedPostgres({ maxConnections: 8 });
  process.stdout.write(`${db.url}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void db.stop().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
