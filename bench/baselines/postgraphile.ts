/**
 * Baseline: PostGraphile 4, the peer a user would pick instead, serving the registry schema's tables of the bench
 * database (read-only: no mutations), with its production settings. DATABASE_URL names the database.
 */
import './graphql-15';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { postgraphile } from 'postgraphile';

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const pool = new Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
  const middleware = postgraphile(pool, 'registry', {
    graphqlRoute: '/graphql',
    graphiql: false,
    disableQueryLog: true,
    disableDefaultMutations: true,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    ignoreRBAC: false,
    legacyRelations: 'omit',
    retryOnInitFail: false,
    watchPg: false,
    extendedErrors: ['errcode'],
  });
  const server = http.createServer(middleware);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`baseline listening: http://127.0.0.1:${port}/graphql\n`);
  process.on('SIGTERM', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
