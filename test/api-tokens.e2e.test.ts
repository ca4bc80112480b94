import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { SignJWT } from 'jose';
import { withClient } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { gql, startTestStack, TEST_ADMIN_TOKEN, type RunningStack } from './support/stack';
import { testDatabaseUrl } from './support/test-database';

const JWT_SECRET = 'an-hs256-secret-for-tests-0123456789abcdef';
let stack: RunningStack;
let town: string;
let otherTown: string;

beforeAll(async () => {
  stack = await startTestStack({ GENUINE_JWT_SECRET: JWT_SECRET });
  const county = uniqueCode('county');
  town = uniqueCode('town');
  otherTown = uniqueCode('other');
  for (const [code, parent] of [[county, null], [town, county], [otherTown, county]] as const) {
    const res = await gql(stack.graphqlUrl, 'mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }', { i: { code, name: code, kind: 'OTHER', parentCode: parent } });
    expect(res.body.errors).toBeUndefined();
  }
});
afterAll(() => stack?.stop());

const createToken = async (role: string, unit: string | null, extra: Record<string, unknown> = {}) => {
  const res = await gql<{ createApiToken: { token: string; apiToken: { id: string; role: string; orgUnitCode: string | null } } }>(
    stack.graphqlUrl,
    'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id role orgUnitCode } } }',
    { i: { name: `test ${role}`, role, orgUnitCode: unit, ...extra } },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data?.createApiToken ?? { token: '', apiToken: { id: '', role: '', orgUnitCode: null } };
};

describe('API tokens', () => {
  it('grant their role within their subtree only, and are stored as digests', async () => {
    const { token, apiToken } = await createToken('VIEWER', town);
    expect(token).toMatch(/^gnt_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({ role: 'VIEWER', orgUnitCode: town });
    const own = await gql(stack.graphqlUrl, 'query($c: String!) { orgUnit(code: $c) { code } }', { c: town }, { token });
    expect(own.body).toEqual({ data: { orgUnit: { code: town } } });
    const other = await gql(stack.graphqlUrl, 'query($c: String!) { orgUnit(code: $c) { code } }', { c: otherTown }, { token });
    expect(other.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const write = await gql(stack.graphqlUrl, `mutation { createOrgUnit(input: { code: "${uniqueCode('x')}", name: "x", kind: OTHER, parentCode: "${town}" }) { id } }`, {}, { token });
    expect(write.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const stored = await withClient(testDatabaseUrl(), (c) => c.query('select token_hash, last_used_at is not null as used from registry.api_token where id = $1', [apiToken.id]));
    expect(stored.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0].token_hash).not.toContain(token.slice(4, 20));
    expect(stored.rows[0].used).toBe(true);
  });

  it('stop working when revoked (within the 5 s verification cache) or past their expiry day', async () => {
    const { token, apiToken } = await createToken('VIEWER', town);
    expect((await gql(stack.graphqlUrl, '{ __typename }', {}, { token })).status).toBe(200);
    const revoked = await gql(stack.graphqlUrl, 'mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { id revokedAt } }', { i: { id: apiToken.id } });
    expect(revoked.body.data).toMatchObject({ revokeApiToken: { id: apiToken.id, revokedAt: expect.any(String) } });
    await new Promise((r) => setTimeout(r, 5_500));
    expect((await gql(stack.graphqlUrl, '{ __typename }', {}, { token })).status).toBe(401);

    const expired = await createToken('VIEWER', town, { expiresOn: new Date().toISOString().slice(0, 10) });
    await withClient(testDatabaseUrl(), (c) => c.query(`update registry.api_token set expires_on = current_date - 1 where id = $1`, [expired.apiToken.id]));
    expect((await gql(stack.graphqlUrl, '{ __typename }', {}, { token: expired.token })).status).toBe(401);
  }, 20_000);

  it('can be managed only by administrators, never beyond their own scope', async () => {
    const viewer = await createToken('VIEWER', town);
    const byViewer = await gql(stack.graphqlUrl, '{ apiTokens { totalCount } }', {}, { token: viewer.token });
    expect(byViewer.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const townAdmin = await createToken('ADMIN', town);
    const wider = await gql(stack.graphqlUrl, `mutation { createApiToken(input: { name: "x", role: VIEWER, orgUnitCode: "${otherTown}" }) { token } }`, {}, { token: townAdmin.token });
    expect(wider.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const everything = await gql(stack.graphqlUrl, `mutation { createApiToken(input: { name: "x", role: VIEWER }) { token } }`, {}, { token: townAdmin.token });
    expect(everything.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const listed = await gql<{ apiTokens: { edges: Array<{ node: { orgUnitCode: string } }> } }>(stack.graphqlUrl, '{ apiTokens(first: 500) { edges { node { orgUnitCode } } } }', {}, { token: townAdmin.token });
    expect(new Set(listed.body.data?.apiTokens.edges.map((e) => e.node.orgUnitCode))).toEqual(new Set([town]));
  });

  it('are created by `npm run token` against the running API', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'scripts/token.ts', 'create', '--role', 'AUDITOR', '--unit', town, '--url', stack.graphqlUrl], {
      cwd: path.resolve(__dirname, '..'),
      env: { PATH: process.env.PATH ?? '', GENUINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
    const token = stdout.trim();
    expect(token).toMatch(/^gnt_/);
    const res = await gql(stack.graphqlUrl, 'query($c: String!) { orgUnit(code: $c) { code } }', { c: town }, { token });
    expect(res.body).toEqual({ data: { orgUnit: { code: town } } });
  });
});

describe('JWTs', () => {
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('dashboard-1').setExpirationTime('5m').sign(new TextEncoder().encode(JWT_SECRET));

  it('carry role and unit, verified by the gateway and by each subgraph', async () => {
    const token = await sign({ role: 'VIEWER', unit: town });
    expect((await gql(stack.graphqlUrl, 'query($c: String!) { orgUnit(code: $c) { code } }', { c: town }, { token })).body).toEqual({ data: { orgUnit: { code: town } } });
    const other = await gql(stack.graphqlUrl, 'query($c: String!) { orgUnit(code: $c) { code } }', { c: otherTown }, { token });
    expect(other.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect((await gql(stack.graphqlUrl, '{ __typename }', {}, { token: await sign({ role: 'VIEWER', unit: 'no-such-unit' }) })).status).toBe(401);
  });
});
