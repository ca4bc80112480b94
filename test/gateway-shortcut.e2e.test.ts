import type { RunningServer } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { startGateway, type GatewayOptions } from '@genuine/gateway';
import type { ShortcutRoute } from '@genuine/gateway/src/single-subgraph';
import { startStackWithSubgraphs } from './support/gateways';
import { gql, TEST_ADMIN_TOKEN, type RunningStack } from './support/stack';

/*
 * The gateway's sole-subgraph shortcut (services/gateway/src/single-subgraph.ts) must be invisible: two gateways
 * over the same subgraphs, one with it and one without, give byte-identical answers — status, media type and body,
 * errors included — for operations it takes, operations it tries and hands back to the planner (an error in the
 * subgraph's answer), and operations it leaves alone. The subgraphs run in a child process (`npm start`'s entry
 * point on fixed free ports); both gateways run here, in production mode with introspection enabled.
 */

let stack: RunningStack;
let withShortcut: RunningServer;
let withoutShortcut: RunningServer;
let stopStack: () => Promise<void>;
let subgraphUrls: () => Record<string, string>;
let gatewayOptions: (overrides?: Partial<GatewayOptions>) => GatewayOptions;
const routes: ShortcutRoute[] = [];

let root: string;
let unitA: string;
let unitB: string;
let viewerOfA: string;
let agentToken: string;

beforeAll(async () => {
  const subgraphs = await startStackWithSubgraphs();
  stack = subgraphs.stack;
  stopStack = subgraphs.stop;
  subgraphUrls = () => subgraphs.subgraphUrls;
  gatewayOptions = (overrides) => subgraphs.gatewayOptions(overrides);
  const options = subgraphs.gatewayOptions({ introspection: true });
  withShortcut = await startGateway({ ...options, onRoute: (r) => routes.push(r) }, 0, '127.0.0.1');
  withoutShortcut = await startGateway({ ...options, soleSubgraphShortcut: false }, 0, '127.0.0.1');

  // root → A (with machines, one of them without a hostname) and root → B; a VIEWER scoped to A; an AGENT.
  root = uniqueCode('sc-root');
  unitA = uniqueCode('sc-a');
  unitB = uniqueCode('sc-b');
  const admin = (query: string, variables: Record<string, unknown> = {}) => gql(stack.graphqlUrl, query, variables);
  const create = 'mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }';
  await admin(create, { i: { code: root, name: '浙江省 "root"', kind: 'PROVINCE' } });
  await admin(create, { i: { code: unitA, name: 'Unit A ✓', kind: 'CITY', parentCode: root } });
  await admin(create, { i: { code: unitB, name: 'Unit B', kind: 'CITY', parentCode: root } });
  const register = 'mutation($i: RegisterMachinesInput!) { registerMachines(input: $i) { id } }';
  await admin(register, {
    i: {
      machines: [
        { orgUnitCode: unitA, hostname: 'pc-2', kind: 'DESKTOP' },
        { orgUnitCode: unitA, hostname: 'pc-1 "quoted" \\ back', kind: 'LAPTOP', operator: '张三' },
        { orgUnitCode: unitA, serialNumber: uniqueCode('sn'), kind: 'SERVER' },
        { orgUnitCode: unitB, hostname: 'b-1', kind: 'VIRTUAL' },
      ],
    },
  });
  const token = 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }';
  viewerOfA = ((await admin(token, { i: { name: uniqueCode('viewer'), role: 'VIEWER', orgUnitCode: unitA } })).body.data as { createApiToken: { token: string } }).createApiToken.token;
  agentToken = ((await admin(token, { i: { name: uniqueCode('agent'), role: 'AGENT' } })).body.data as { createApiToken: { token: string } }).createApiToken.token;
}, 90_000);

afterAll(async () => {
  await withShortcut?.stop();
  await withoutShortcut?.stop();
  await stopStack?.();
});

interface Exchange {
  status: number;
  contentType: string | null;
  requestId: string | null;
  body: string;
}

async function ask(gateway: RunningServer, init: { query: string; variables?: Record<string, unknown>; operationName?: string; token?: string; accept?: string }): Promise<Exchange> {
  const res = await fetch(gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: init.accept ?? 'application/graphql-response+json, application/json',
      authorization: `Bearer ${init.token ?? TEST_ADMIN_TOKEN}`,
      'x-request-id': 'shortcut-test-request',
    },
    body: JSON.stringify({ query: init.query, variables: init.variables, operationName: init.operationName }),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), requestId: res.headers.get('x-request-id'), body: await res.text() };
}

/**
 * Both gateways' exchanges for one request, and how the shortcut routed it (`direct` left out). The gateway with
 * the shortcut is asked twice: once through its runtime, then again, when the operation is known, directly; both
 * answers must be the planner's.
 */
async function both(init: Parameters<typeof ask>[1]) {
  routes.length = 0;
  const shortcut = await ask(withShortcut, init);
  const route = routes.map(({ subgraph, fellBack }) => ({ subgraph, fellBack }));
  routes.length = 0;
  const again = await ask(withShortcut, init);
  const againRoutes = [...routes];
  const planner = await ask(withoutShortcut, init);
  expect(again).toEqual(shortcut);
  return { shortcut, planner, route, againRoutes };
}

const dashboard = (code: string) =>
  `{ orgUnit(code: ${JSON.stringify(code)}) { descendants(first: 50) { edges { node { name machines(first: 20) { edges { node { hostname orgUnit { name } } } } } } } } }`;

describe('the sole-subgraph shortcut', () => {
  it('answers the dashboard question from the registry alone, byte for byte as the planner does', async () => {
    const { shortcut, planner, route, againRoutes } = await both({ query: dashboard(root) });
    expect(route).toEqual([{ subgraph: 'registry', fellBack: false }]);
    // Asked again, the known operation is answered without the runtime.
    expect(againRoutes).toEqual([{ subgraph: 'registry', fellBack: false, direct: true }]);
    expect(shortcut).toEqual(planner);
    expect(shortcut.status).toBe(200);
    expect(JSON.parse(shortcut.body)).toEqual({
      data: {
        orgUnit: {
          descendants: {
            edges: [
              {
                node: {
                  name: 'Unit A ✓',
                  machines: {
                    edges: [
                      { node: { hostname: null, orgUnit: { name: 'Unit A ✓' } } },
                      { node: { hostname: 'pc-1 "quoted" \\ back', orgUnit: { name: 'Unit A ✓' } } },
                      { node: { hostname: 'pc-2', orgUnit: { name: 'Unit A ✓' } } },
                    ],
                  },
                },
              },
              { node: { name: 'Unit B', machines: { edges: [{ node: { hostname: 'b-1', orgUnit: { name: 'Unit B' } } }] } } },
            ],
          },
        },
      },
    });
  });

  it.each([
    [
      'variables, aliases, __typename, @skip/@include and fragments',
      `query Page($code: String!, $n: Int, $kinds: Boolean!) {
        unit: orgUnit(code: $code) { __typename ...Names children @include(if: $kinds) { kind } ... on OrgUnit { parent { code } } }
        list: machines(first: $n, filter: { orgUnitCode: $code }) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...M } } }
      }
      fragment Names on OrgUnit { code name kind @skip(if: $kinds) }
      fragment M on Machine { __typename hostname kind status retiredAt operator orgUnit { ...Names } }`,
      () => ({ code: unitA, n: 2, kinds: false }),
    ],
    ['paging through a unit with a cursor', `query($code: String!) { orgUnit(code: $code) { machines(first: 1, after: "WyJwYy0xIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl0") { edges { cursor node { hostname } } } } }`, () => ({ code: unitA })],
  ])('takes %s to the registry', async (_what, query, variables) => {
    const { shortcut, planner, route } = await both({ query, variables: variables() });
    expect(route).toEqual([{ subgraph: 'registry', fellBack: false }]);
    expect(shortcut).toEqual(planner);
    expect(JSON.parse(shortcut.body).errors).toBeUndefined();
  });

  it('checks the cost limit of a known operation with each request\'s variables', async () => {
    const query = `query($units: Int, $machines: Int) { orgUnit(code: "${root}") { descendants(first: $units) { edges { node {
      machines(first: $machines) { edges { node { hostname orgUnit { name } } } } } } } } }`;
    const small = await both({ query, variables: { units: 5, machines: 5 } });
    expect(small.againRoutes).toEqual([{ subgraph: 'registry', fellBack: false, direct: true }]);
    expect(small.shortcut).toEqual(small.planner);
    const large = await both({ query, variables: { units: 500, machines: 500 } });
    expect(large.route).toEqual([]);
    expect(large.againRoutes).toEqual([]);
    expect(large.shortcut).toEqual(large.planner);
    expect(JSON.parse(large.shortcut.body).errors[0].message).toMatch(/cost limit of 100000 exceeded/);
    const wrong = await both({ query, variables: { units: 'five' } });
    expect(wrong.shortcut).toEqual(wrong.planner);
    expect(JSON.parse(wrong.shortcut.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('hands a known operation that fails for this caller back to the planner once', async () => {
    const query = `${dashboard(unitB)} # known`;
    await both({ query });
    routes.length = 0;
    const denied = await ask(withShortcut, { query, token: viewerOfA });
    // Tried directly, then the planner: the runtime does not try the subgraph a second time.
    expect(routes).toEqual([
      { subgraph: 'registry', fellBack: true, direct: true },
      { subgraph: null, fellBack: false, direct: false },
    ]);
    expect(denied).toEqual(await ask(withoutShortcut, { query, token: viewerOfA }));
    expect(JSON.parse(denied.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['NOT_FOUND']);
  });

  it('takes the named operation of a document with several', async () => {
    const query = `query Units { orgUnit(code: "${root}") { children { code } } } query Other { orgUnit(code: "${root}") { compliance { machineCount } } }`;
    const units = await both({ query, operationName: 'Units' });
    expect(units.route).toEqual([{ subgraph: 'registry', fellBack: false }]);
    expect(units.shortcut).toEqual(units.planner);
    // `orgUnit` is shared with the audit subgraph, which owns `compliance`: that operation is the audit's alone.
    const other = await both({ query, operationName: 'Other' });
    expect(other.route).toEqual([{ subgraph: 'audit', fellBack: false }]);
    expect(other.shortcut).toEqual(other.planner);
  });

  it.each([
    ['a unit that does not exist', () => ({ query: '{ orgUnit(code: "no-such-unit") { name } }' }), ['NOT_FOUND']],
    ['a unit outside the token scope', () => ({ query: dashboard(unitB), token: viewerOfA }), ['NOT_FOUND']],
    ['a role that may not read', () => ({ query: dashboard(root), token: agentToken }), ['FORBIDDEN']],
    ['a variable of the wrong type', () => ({ query: 'query($c: String!) { orgUnit(code: $c) { name } }', variables: { c: 5 } }), ['BAD_USER_INPUT']],
    ['a bad cursor', () => ({ query: `{ orgUnit(code: "${unitA}") { machines(after: "not a cursor") { totalCount } } }` }), ['BAD_USER_INPUT']],
    ['a page over the maximum', () => ({ query: `{ orgUnit(code: "${unitA}") { machines(first: 501) { totalCount } } }` }), ['BAD_USER_INPUT']],
  ])('hands %s back to the planner, whose errors the client gets', async (_what, init, codes) => {
    const { shortcut, planner, route } = await both(init());
    // Tried (through the runtime, or directly when the operation is already known), then planned.
    expect(route[0]).toEqual({ subgraph: 'registry', fellBack: true });
    expect(shortcut).toEqual(planner);
    expect(JSON.parse(shortcut.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(codes);
  });

  it('keeps a partial answer and its error identical (a parent above the scope is null)', async () => {
    const query = `{ orgUnit(code: "${unitA}") { code parent { code } machines { totalCount } } }`;
    const { shortcut, planner, route } = await both({ query, token: viewerOfA });
    expect(route).toEqual([{ subgraph: 'registry', fellBack: false }]);
    expect(shortcut).toEqual(planner);
    expect(JSON.parse(shortcut.body)).toEqual({ data: { orgUnit: { code: unitA, parent: null, machines: { totalCount: 3 } } } });
  });

  it.each([
    ['fields of both subgraphs', () => `{ orgUnit(code: "${unitA}") { name compliance { machineCount } machines { edges { node { hostname installations { totalCount } } } } } }`],
    ['introspection', () => '{ __schema { queryType { name } } __type(name: "OrgUnit") { fields { name } } }'],
    ['a lone __typename', () => '{ __typename }'],
  ])('leaves %s to the planner', async (_what, query) => {
    const { shortcut, planner, route } = await both({ query: query() });
    expect(route.every((r) => r.subgraph === null)).toBe(true);
    expect(shortcut).toEqual(planner);
  });

  it.each([
    ['a validation error', '{ nope }'],
    ['a field suggestion, blocked in production', `{ orgUnit(code: "x") { nam } }`],
    ['the cost limit', `{ orgUnit(code: "x") { descendants(first: 500) { edges { node { machines(first: 500) { edges { node { hostname } } } } } } } }`],
    ['a parse error', '{ orgUnit(code: '],
  ])('refuses %s before any routing, as the planner does', async (_what, query) => {
    const { shortcut, planner, route } = await both({ query });
    expect(route).toEqual([]);
    expect(shortcut).toEqual(planner);
    expect(JSON.parse(shortcut.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('leaves mutations to the planner', async () => {
    const code = uniqueCode('sc-m');
    routes.length = 0;
    const created = await ask(withShortcut, { query: `mutation { createOrgUnit(input: { code: "${code}", name: "M", kind: OTHER, parentCode: "${root}" }) { code } }` });
    expect(routes).toEqual([{ subgraph: null, fellBack: false, direct: false }]);
    expect(JSON.parse(created.body)).toEqual({ data: { createOrgUnit: { code } } });
  });

  it('answers in the media type the client accepts, and echoes the request id', async () => {
    const accepts = ['application/json', 'application/graphql-response+json', '*/*', 'application/json, application/graphql-response+json', 'application/graphql-response+json;q=0.9, application/json', 'text/html'];
    for (const accept of accepts) {
      const { shortcut, planner } = await both({ query: dashboard(unitA), accept });
      expect(shortcut).toEqual(planner);
      expect(shortcut.requestId).toBe('shortcut-test-request');
    }
    routes.length = 0;
    const browser = await fetch(withShortcut.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, origin: 'https://elsewhere.example' },
      body: JSON.stringify({ query: dashboard(unitA) }),
    });
    expect(browser.status).toBe(200);
    // A cross-origin request goes through the runtime (its CORS handling), and takes the shortcut there.
    expect(routes).toEqual([{ subgraph: 'registry', fellBack: false, direct: false }]);
  });

  it('leaves odd requests for a known operation to the runtime, which answers them as before', async () => {
    const query = dashboard(unitA);
    await both({ query });
    const raw = async (gateway: RunningServer, contentType: string, body: Record<string, unknown>, path = '') => {
      const res = await fetch(gateway.url + path, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-request-id': 'odd' },
        body: JSON.stringify(body),
      });
      return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
    };
    const cases: Array<[string, Record<string, unknown>, string?]> = [
      ['application/json', { query, unexpected: 1 }],
      ['application/json', { query, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }],
      ['application/json', { query, variables: 'not an object' }],
      ['application/graphql-response+json', { query }],
      ['Application/JSON', { query }],
      ['application/json', { query }, '?operationName=x'],
    ];
    for (const [contentType, body, path] of cases) {
      routes.length = 0;
      const shortcut = await raw(withShortcut, contentType, body, path);
      expect({ contentType, body, direct: routes.some((r) => r.direct) }).toEqual({ contentType, body, direct: false });
      expect({ contentType, body, answer: shortcut }).toEqual({ contentType, body, answer: await raw(withoutShortcut, contentType, body, path) });
    }
    // And the plain request is answered directly.
    routes.length = 0;
    const plain = await raw(withShortcut, 'application/json; charset=utf-8', { query, variables: null, operationName: null });
    expect(routes).toEqual([{ subgraph: 'registry', fellBack: false, direct: true }]);
    expect(plain).toEqual(await raw(withoutShortcut, 'application/json; charset=utf-8', { query, variables: null, operationName: null }));
  });

  it('answers a known operation only within the rate limit, which runs first', async () => {
    const limited = await startGateway(gatewayOptions({ introspection: true, rateLimitPerMinute: 2 }), 0, '127.0.0.1');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await ask(limited, { query: dashboard(unitA) })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.stop();
    }
  });

  it('serves GET queries the same way', async () => {
    const url = (gateway: RunningServer) => `${gateway.url}?query=${encodeURIComponent(dashboard(unitA))}`;
    const get = async (gateway: RunningServer) => {
      const res = await fetch(url(gateway), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, accept: 'application/json' } });
      return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
    };
    routes.length = 0;
    const shortcut = await get(withShortcut);
    expect(routes).toEqual([{ subgraph: 'registry', fellBack: false, direct: false }]);
    expect(shortcut).toEqual(await get(withoutShortcut));
  });
});

/*
 * `Query.orgUnit` is @shareable: the registry and the audit subgraph both answer it, so that a question only about
 * a unit's audit figures (the compliance dashboard's `orgUnit(code) { compliance }`) goes to the audit subgraph
 * alone. Both must answer it alike, for every caller, or which subgraph the gateway picks would show.
 */
describe('the shared orgUnit field', () => {
  const direct = async (subgraph: 'registry' | 'audit', code: string, token: string) => {
    const res = await fetch(subgraphUrls()[subgraph], {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'query($code: String!) { orgUnit(code: $code) { __typename id } }', variables: { code } }),
    });
    return { status: res.status, body: JSON.parse(await res.text()) as { data?: unknown; errors?: Array<{ message: string; extensions: { code: string } }> } };
  };

  it.each([
    ['an admin, a unit', () => [unitA, TEST_ADMIN_TOKEN], null],
    ['a scoped viewer, its own unit', () => [unitA, viewerOfA], null],
    ['a scoped viewer, a unit outside its scope', () => [unitB, viewerOfA], 'NOT_FOUND'],
    ['a scoped viewer, an ancestor of its unit', () => [root, viewerOfA], 'NOT_FOUND'],
    ['an admin, a code naming no unit', () => ['no-such-unit', TEST_ADMIN_TOKEN], 'NOT_FOUND'],
    ['a role that may not read', () => [unitA, agentToken], 'FORBIDDEN'],
  ] as const)('is answered alike by both subgraphs: %s', async (_what, args, code) => {
    const [unit, token] = args();
    const registry = await direct('registry', unit, token);
    const audit = await direct('audit', unit, token);
    expect(audit).toEqual(registry);
    if (code === null) expect(registry.body).toEqual({ data: { orgUnit: { __typename: 'OrgUnit', id: expect.any(String) } } });
    else expect(registry.body.errors?.map((e) => e.extensions.code)).toEqual([code]);
  });

  it('takes the compliance figures of a unit to the audit subgraph alone, byte for byte as the planner does', async () => {
    const query = `{ orgUnit(code: "${unitA}") { compliance { machineCount categories { category licensed unlicensed missing } } } }`;
    const { shortcut, planner, route, againRoutes } = await both({ query, token: viewerOfA });
    expect(route).toEqual([{ subgraph: 'audit', fellBack: false }]);
    expect(againRoutes).toEqual([{ subgraph: 'audit', fellBack: false, direct: true }]);
    expect(shortcut).toEqual(planner);
    const figures = JSON.parse(shortcut.body).data.orgUnit.compliance;
    expect(figures.machineCount).toBe(3);
    expect(figures.categories).toHaveLength(7);
  });

  it.each([
    ['outside the scope', () => unitB, 'NOT_FOUND'],
    ['unknown', () => 'no-such-unit', 'NOT_FOUND'],
  ])('hands a unit %s back to the planner, whose error the client gets', async (_what, unit, code) => {
    const { shortcut, planner, route } = await both({ query: `{ orgUnit(code: "${unit()}") { compliance { machineCount } } }`, token: viewerOfA });
    expect(route[0]).toEqual({ subgraph: 'audit', fellBack: true });
    expect(shortcut).toEqual(planner);
    expect(JSON.parse(shortcut.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([code]);
  });

  it('still plans a question mixing both subgraphs\' fields of the unit', async () => {
    const query = `{ orgUnit(code: "${unitA}") { name code compliance { machineCount } children { code } } }`;
    const { shortcut, planner, route } = await both({ query });
    expect(route.every((r) => r.subgraph === null)).toBe(true);
    expect(shortcut).toEqual(planner);
    expect(JSON.parse(shortcut.body)).toEqual({ data: { orgUnit: { name: 'Unit A ✓', code: unitA, compliance: { machineCount: 3 }, children: [] } } });
  });
});
