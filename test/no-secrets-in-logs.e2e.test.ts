import { randomBytes, randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { SignJWT } from 'jose';
import { uniqueCode } from '@genuine/kit/src/testing';
import { postAgent } from './support/agent-client';
import { gql, startTestStack, TEST_ADMIN_TOKEN, type GraphQLResponse, type RunningStack } from './support/stack';

/*
 * No secret in any log line or error (issue 6 → Tests): a stack logging at debug level is driven through every
 * flow that handles a secret — API tokens and JWTs as bearers, agents' Basic passwords, license keys added, read
 * and sent in failing mutations, bad tokens and wrong passwords, and a request that fails inside the server —
 * and then neither its whole output nor any GraphQL error it answered contains one of them.
 */

const JWT_SECRET = `jwt-secret-${randomBytes(16).toString('hex')}`;
const LICENSE_KEY_SECRET = randomBytes(32).toString('hex');

let stack: RunningStack;
/** Every secret the flows used; none may appear in the output or in an error. */
const secrets = new Map<string, string>([
  ['admin token', TEST_ADMIN_TOKEN],
  ['JWT secret', JWT_SECRET],
  ['license key secret', LICENSE_KEY_SECRET],
]);
/** Every `errors` array the API answered, and every agent refusal's body. */
const answers: string[] = [];

const licenseKey = () => `${randomBytes(3).toString('hex')}-${randomBytes(3).toString('hex')}-${randomBytes(3).toString('hex')}`.toUpperCase();

async function call(query: string, variables: Record<string, unknown> = {}, token: string | null = TEST_ADMIN_TOKEN): Promise<GraphQLResponse> {
  const res = await gql(stack.graphqlUrl, query, variables, { token });
  if (res.body.errors) answers.push(JSON.stringify(res.body.errors));
  return res;
}
const codes = (res: GraphQLResponse) => res.body.errors?.map((e) => e.extensions?.code);

function inventory(tag: string): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><REQUEST><CONTENT><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${tag}</KEYVALUE></ACCOUNTINFO><HARDWARE><NAME>${uniqueCode('host')}</NAME></HARDWARE><SOFTWARES><NAME>Tool</NAME><VERSION>1</VERSION></SOFTWARES></CONTENT><DEVICEID>${uniqueCode('dev')}</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`;
  return deflateSync(Buffer.from(xml));
}

async function agent(body: Buffer, password: string | null): Promise<number> {
  const res = await postAgent(stack.baseUrl, body, { password });
  if (res.status !== 200) answers.push(res.text);
  return res.status;
}

beforeAll(async () => {
  stack = await startTestStack({ LOG_LEVEL: 'debug', GENUINE_JWT_SECRET: JWT_SECRET, GENUINE_LICENSE_KEY_SECRET: LICENSE_KEY_SECRET });
}, 90_000);
afterAll(() => stack?.stop());

describe('secrets stay out of logs and errors', () => {
  it('for tokens, JWTs, agent passwords, license keys, bad credentials and server-side failures', async () => {
    const unit = uniqueCode('secrets');
    await call(`mutation($c: String!) { createOrgUnit(input: { code: $c, name: "s", kind: OTHER }) { id } }`, { c: unit });
    const product = await call(`mutation($n: String!) { createProduct(input: { publisher: "Secret Soft", name: $n, category: OFFICE, licensable: true }) { id } }`, { n: uniqueCode('Product') });
    const productId = (product.body.data as { createProduct: { id: string } }).createProduct.id;
    const edition = await call(`mutation($p: ID!) { createEdition(input: { productId: $p, name: "E1" }) { id } }`, { p: productId });
    const editionId = (edition.body.data as { createEdition: { id: string } }).createEdition.id;
    const purchase = await call(
      `mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { entitlements { id } } }`,
      { i: { orgUnitCode: unit, supplier: 's', orderNumber: uniqueCode('PO'), purchasedOn: '2026-01-10', currency: 'CNY', lines: [{ editionId, quantity: 5, unitPrice: '1' }] } },
    );
    const entitlementId = (purchase.body.data as { recordPurchase: { entitlements: Array<{ id: string }> } }).recordPurchase.entitlements[0].id;

    // API tokens of three roles, each used as a bearer (and the agent's as a Basic password below).
    const tokens: Record<string, string> = {};
    for (const role of ['ADMIN', 'VIEWER', 'AGENT']) {
      const res = await call(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`, { i: { name: `secret ${role}`, role, orgUnitCode: unit } });
      tokens[role] = (res.body.data as { createApiToken: { token: string } }).createApiToken.token;
      secrets.set(`${role} API token`, tokens[role]);
    }
    const jwt = await new SignJWT({ role: 'VIEWER', unit }).setProtectedHeader({ alg: 'HS256' }).setSubject('dashboard').setExpirationTime('5m').sign(new TextEncoder().encode(JWT_SECRET));
    secrets.set('JWT', jwt);
    for (const token of [tokens.ADMIN, tokens.VIEWER, jwt]) {
      expect((await call(`query($c: String!) { orgUnit(code: $c) { code } }`, { c: unit }, token)).body.data).toEqual({ orgUnit: { code: unit } });
    }

    // License keys: added, read whole and masked, and sent again in mutations that fail.
    const [k1, k2, k3, k4, k5, k6, k7] = Array.from({ length: 7 }, licenseKey);
    [k1, k2, k3, k4, k5, k6, k7].forEach((k, i) => secrets.set(`license key ${i + 1}`, k));
    const add = (keys: unknown, token = tokens.ADMIN, id = entitlementId) =>
      call(`mutation($i: AddLicenseKeysInput!) { addLicenseKeys(input: $i) { masked } }`, { i: { entitlementId: id, keys } }, token);
    expect(codes(await add([k1, k2]))).toBeUndefined();
    const read = `query($id: ID!) { entitlement(id: $id) { licenseKeys { edges { node { masked key } } } } }`;
    const whole = await call(read, { id: entitlementId }, tokens.ADMIN);
    expect(JSON.stringify(whole.body.data)).toContain(k1);
    const masked = await call(read, { id: entitlementId }, tokens.VIEWER);
    expect(JSON.stringify(masked.body)).not.toContain(k1);
    expect(codes(await add([k1]))).toEqual(['CONFLICT']);
    expect(codes(await add([k3], tokens.ADMIN, randomUUID()))).toEqual(['NOT_FOUND']);
    expect(codes(await add([k4], tokens.VIEWER))).toEqual(['FORBIDDEN']);
    expect(codes(await add([k5, k5]))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await add([`${k6}${'x'.repeat(200)}`]))).toEqual(['BAD_USER_INPUT']);
    // A variable of the wrong shape: graphql-js would echo the whole value in its message.
    const misshapen = await call(`mutation($i: AddLicenseKeysInput!) { addLicenseKeys(input: $i) { masked } }`, { i: { entitlementId, keys: [k7], note: k7 } });
    expect(codes(misshapen)).toEqual(['BAD_USER_INPUT']);

    // Bad bearers: an unknown API token, a JWT signed with another secret, a malformed one.
    const unknownToken = `gnt_${randomBytes(32).toString('base64url')}`;
    const forgedJwt = await new SignJWT({ role: 'ADMIN', unit: '*' }).setProtectedHeader({ alg: 'HS256' }).setSubject('intruder').setExpirationTime('5m').sign(new TextEncoder().encode(`not-${JWT_SECRET}`));
    const garbage = `eyJ${randomBytes(24).toString('hex')}.x.y`;
    for (const [name, bad] of [['unknown API token', unknownToken], ['forged JWT', forgedJwt], ['malformed JWT', garbage]] as const) {
      secrets.set(name, bad);
      expect((await call('{ __typename }', {}, bad)).status).toBe(401);
    }

    // Agents: the right password, a wrong one, a token that may not send inventories, a TAG outside the scope.
    const wrongPassword = `wrong-${randomBytes(16).toString('hex')}`;
    secrets.set('wrong agent password', wrongPassword);
    expect(await agent(inventory(unit), tokens.AGENT)).toBe(200);
    expect(await agent(inventory(unit), wrongPassword)).toBe(401);
    expect(await agent(inventory(unit), tokens.VIEWER)).toBe(403);
    expect(await agent(inventory(uniqueCode('nowhere')), tokens.AGENT)).toBe(422);

    // A request that fails inside the server: a malformed id reaching the database, carrying a key.
    const failing = await call(`query($e: ID) { normalizationRules(filter: { editionId: $e }) { totalCount } }`, { e: k2 }, tokens.ADMIN);
    expect(failing.body.errors?.length).toBe(1);

    // The server did log at debug level, and logged these requests.
    await new Promise((r) => setTimeout(r, 300));
    const output = stack.output();
    expect(output).toMatch(/"level":"debug"/);

    const leaks: string[] = [];
    for (const [name, secret] of secrets) {
      // The value itself, and the forms it travels in: base64 of an agent's Basic credentials, a token's body.
      const forms = [secret, Buffer.from(`agent:${secret}`).toString('base64'), secret.replace(/^gnt_/, '')];
      for (const form of forms) {
        if (output.includes(form)) leaks.push(`${name} in the output: …${around(output, form)}…`);
        for (const answer of answers) if (answer.includes(form)) leaks.push(`${name} in an error: ${answer}`);
      }
    }
    expect(leaks).toEqual([]);
  }, 60_000);
});

function around(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return text.slice(Math.max(0, at - 200), at + needle.length + 50);
}
