import { uniqueCode } from '@genuine/kit/src/testing';
import { withClient } from '@genuine/kit';
import { gql, startTestStack, type RunningStack } from './support/stack';
import { testDatabaseUrl } from './support/test-database';

let stack: RunningStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

describe('the gateway', () => {
  it('answers an anonymous request with 401 UNAUTHENTICATED and a wrong token likewise', async () => {
    for (const token of [null, 'wrong-token']) {
      const res = await gql(stack.graphqlUrl, '{ orgUnit(code: "x") { name } }', {}, { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: [{ message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }] });
    }
  });

  it('creates a unit tree and reads it back with parent, children and descendants', async () => {
    const root = uniqueCode('prov');
    const child = uniqueCode('city');
    const create = `mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { code name kind } }`;
    expect((await gql(stack.graphqlUrl, create, { input: { code: root, name: '浙江省', kind: 'PROVINCE' } })).body).toEqual({
      data: { createOrgUnit: { code: root, name: '浙江省', kind: 'PROVINCE' } },
    });
    await gql(stack.graphqlUrl, create, { input: { code: child, name: 'Huzhou', kind: 'CITY', parentCode: root } });
    const res = await gql(
      stack.graphqlUrl,
      `query($code: String!) { orgUnit(code: $code) { code parent { code } children { code parent { code } } descendants { totalCount edges { node { code } } } } }`,
      { code: root },
    );
    expect(res.body).toEqual({
      data: { orgUnit: { code: root, parent: null, children: [{ code: child, parent: { code: root } }], descendants: { totalCount: 1, edges: [{ node: { code: child } }] } } },
    });
  });

  it('registers machines and lists them with fields from both subgraphs', async () => {
    const unit = uniqueCode('dept');
    await gql(stack.graphqlUrl, `mutation { createOrgUnit(input: { code: "${unit}", name: "Finance", kind: DEPARTMENT }) { id } }`);
    for (const host of ['pc-2', 'pc-1', 'pc-3']) {
      const res = await gql(stack.graphqlUrl, `mutation($input: RegisterMachineInput!) { registerMachine(input: $input) { hostname kind } }`, {
        input: { orgUnitCode: unit, hostname: host, kind: 'DESKTOP' },
      });
      expect(res.body).toEqual({ data: { registerMachine: { hostname: host, kind: 'DESKTOP' } } });
    }
    const page = `query($after: String) { machines(first: 2, after: $after, filter: { orgUnitCode: "${unit}" }) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { hostname orgUnit { code } lastInventoryAt installations(first: 5) { totalCount edges { node { rawName } } } } } } }`;
    const first = await gql<{ machines: { pageInfo: { endCursor: string } } }>(stack.graphqlUrl, page);
    expect(first.body.data).toMatchObject({
      machines: {
        totalCount: 3,
        pageInfo: { hasNextPage: true },
        edges: [
          { node: { hostname: 'pc-1', orgUnit: { code: unit }, lastInventoryAt: null, installations: { totalCount: 0, edges: [] } } },
          { node: { hostname: 'pc-2', orgUnit: { code: unit }, lastInventoryAt: null, installations: { totalCount: 0, edges: [] } } },
        ],
      },
    });
    const second = await gql(stack.graphqlUrl, page, { after: first.body.data?.machines.pageInfo.endCursor });
    expect(second.body.data).toMatchObject({ machines: { pageInfo: { hasNextPage: false }, edges: [{ node: { hostname: 'pc-3' } }] } });
  });

  it('accepts, forwards and echoes the request id', async () => {
    const unit = uniqueCode('traced');
    const res = await gql(stack.graphqlUrl, `mutation { createOrgUnit(input: { code: "${unit}", name: "Traced", kind: OTHER }) { id } }`, {}, {
      headers: { 'x-request-id': 'dashboard-req-42' },
    });
    expect(res.headers.get('x-request-id')).toBe('dashboard-req-42');
    const { rows } = await withClient(testDatabaseUrl(), (c) => c.query(`select request_id from registry.audit_event where after->>'code' = $1`, [unit]));
    expect(rows).toEqual([{ request_id: 'dashboard-req-42' }]);
    const generated = await gql(stack.graphqlUrl, '{ __typename }');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports only the closed set of error codes, without internals', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['{ orgUnit(code: "no-such-unit") { name } }', {}, 'NOT_FOUND'],
      ['{ orgUnit(code: ', {}, 'BAD_USER_INPUT'],
      ['{ nope }', {}, 'BAD_USER_INPUT'],
      ['{ machines(first: 501) { totalCount } }', {}, 'BAD_USER_INPUT'],
      ['query($c: String!) { orgUnit(code: $c) { name } }', { c: 5 }, 'BAD_USER_INPUT'],
      ['mutation { createOrgUnit(input: { code: "BAD CODE", name: "x", kind: OTHER }) { id } }', {}, 'BAD_USER_INPUT'],
    ];
    for (const [query, variables, code] of cases) {
      const res = await gql(stack.graphqlUrl, query, variables);
      expect({ query, codes: res.body.errors?.map((e) => e.extensions?.code) }).toEqual({ query, codes: [code] });
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/stack|serviceName|select |insert /i);
    }
  });

  it('serves health and readiness', async () => {
    const base = new URL(stack.graphqlUrl);
    expect(await (await fetch(new URL('/healthz', base))).json()).toEqual({ status: 'ok', service: 'gateway' });
    const ready = await fetch(new URL('/readyz', base));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', registry: 'ok', audit: 'ok' } });
  });
});
