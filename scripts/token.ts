/**
 * `npm run token -- <command>`: manage API tokens through the running API, so it works the same against the
 * embedded database and a server. Authenticates with GENUINE_ADMIN_TOKEN, or the development admin token kept
 * under GENUINE_DATA_DIR.
 *
 *   npm run token -- create --role VIEWER --unit nanxun [--name "Dashboard"] [--expires 2027-12-31]
 *   npm run token -- list
 *   npm run token -- revoke --id <token id>
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, roles } from '@genuine/kit';

const usage = `usage:
  npm run token -- create --role <${roles.join('|')}> --unit <org unit code | *> [--name <name>] [--expires <YYYY-MM-DD>]
  npm run token -- list
  npm run token -- revoke --id <token id>
options: --url <graphql url> (default http://127.0.0.1:$PORT/graphql)`;

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string' }, unit: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' }, id: { type: 'string' }, url: { type: 'string' } },
  });
  const config = loadConfig(process.env);
  const url = values.url ?? `http://127.0.0.1:${config.ports.gateway}/graphql`;
  const tokenFile = path.resolve(config.dataDir, 'admin-token');
  const admin = config.adminToken ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  if (!admin) throw new Error('Set GENUINE_ADMIN_TOKEN (or run `npm start` once so the development admin token exists)');

  const call = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('\n'));
    if (!body.data) throw new Error(`unexpected response (${res.status})`);
    return body.data;
  };

  switch (positionals[0]) {
    case 'create': {
      if (!values.role || !values.unit) throw new Error(usage);
      const data = await call<{ createApiToken: { token: string; apiToken: { id: string } } }>(
        `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }`,
        { input: { role: values.role, orgUnitCode: values.unit === '*' ? null : values.unit, name: values.name ?? `${values.role} ${values.unit}`, expiresOn: values.expires ?? null } },
      );
      // The token itself goes to stdout alone, so `TOKEN=$(npm run -s token -- create ...)` works.
      console.error(`created token ${data.createApiToken.apiToken.id}; it is shown once:`);
      console.log(data.createApiToken.token);
      return;
    }
    case 'list': {
      const data = await call<{ apiTokens: { edges: Array<{ node: Record<string, unknown> }> } }>(
        `{ apiTokens(first: 500) { edges { node { id name role orgUnitCode expiresOn revokedAt lastUsedAt } } } }`,
        {},
      );
      console.table(data.apiTokens.edges.map((e) => e.node));
      return;
    }
    case 'revoke': {
      if (!values.id) throw new Error(usage);
      await call(`mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { id revokedAt } }`, { input: { id: values.id } });
      console.error(`revoked ${values.id}`);
      return;
    }
    default:
      throw new Error(usage);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
