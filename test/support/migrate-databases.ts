/**
 * Applies every service's migrations to the databases named on the command line. Jest's global setup runs it
 * as a child process: loading MikroORM in jest's parent process would leave it half-initialised for a test
 * file that jest then runs in that same process.
 */
import { migrateAll } from '../../scripts/migrations';

Promise.all(process.argv.slice(2).map((url) => migrateAll(url))).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
