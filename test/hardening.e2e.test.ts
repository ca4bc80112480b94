import { gql, startTestStack, TEST_ADMIN_TOKEN, type RunningStack } from './support/stack';

/** Production defaults (DESIGN → API conventions): each limit with a request just under and just over it. */
let stack: RunningStack;
beforeAll(async () => {
  stack = await startTestStack({ NODE_ENV: 'production', GENUINE_CORS_ORIGINS: 'https://dash.example.gov' });
});
afterAll(() => stack?.stop());

const codes = (res: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }) => res.body.errors?.map((e) => e.extensions?.code) ?? [];
const limitError = (res: { body: { errors?: Array<{ message: string }> } }) => res.body.errors?.map((e) => e.message).join(' ') ?? '';

const nested = (depth: number) => {
  // orgUnit is depth 1, each `children` one more, `code` the last.
  let selection = 'code';
  for (let i = 0; i < depth - 2; i++) selection = `children { ${selection} }`;
  return `{ orgUnit(code: "no-such-unit") { ${selection} } }`;
};
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
const directives = (n: number) => `{ __typename ${Array.from({ length: n }, () => '@skip(if: false)').join(' ')} }`;

describe('operation limits', () => {
  it.each([
    ['depth', nested(12), nested(13), /depth limit/i],
    ['aliases, counting __typename', aliases(30), aliases(31), /aliases limit/i],
    ['directives', directives(20), directives(21), /directives limit/i],
  ])('%s: just under passes, just over is refused', async (_what, under, over, message) => {
    const ok = await gql(stack.graphqlUrl, under);
    expect(limitError(ok)).not.toMatch(message);
    const refused = await gql(stack.graphqlUrl, over);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(limitError(refused)).toMatch(message);
    expect(refused.body.data ?? null).toBeNull();
  });

  it('estimates cost with page sizes given as variables', async () => {
    const query = `query($units: Int, $machines: Int) { orgUnit(code: "no-such-unit") { descendants(first: $units) { edges { node {
      machines(first: $machines) { edges { node { hostname orgUnit { name } } } } } } } } }`;
    const ok = await gql(stack.graphqlUrl, query, { units: 500, machines: 20 });
    expect(codes(ok)).toEqual(['NOT_FOUND']);
    const refused = await gql(stack.graphqlUrl, query, { units: 500, machines: 500 });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(limitError(refused)).toMatch(/cost limit of 100000 exceeded/);
  });

  it('counts tokens and refuses documents past the limit', async () => {
    // `{ __typename }` is 3 tokens; each extra alias adds 3 (`aN`, `:`, `__typename`).
    const withTokens = (n: number) => `{ ${Array.from({ length: (n - 2) / 3 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    const refused = await gql(stack.graphqlUrl, withTokens(3002));
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(limitError(refused)).toMatch(/token limit/i);
  });

  it('refuses a body over 100 kB with 413 before parsing', async () => {
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(100_001)}` }),
    });
    expect(res.status).toBe(413);
  });
});

describe('production transport rules', () => {
  it('has introspection off and hides field suggestions', async () => {
    const intro = await gql(stack.graphqlUrl, '{ __schema { queryType { name } } }');
    expect(codes(intro)[0]).toBe('BAD_USER_INPUT');
    expect(limitError(intro)).toMatch(/introspection has been disabled/);
    const typo = await gql(stack.graphqlUrl, '{ orgUnitt(code: "x") { name } }');
    expect(limitError(typo)).not.toMatch(/Did you mean/);
  });

  it('refuses batches, form bodies and mutations over GET', async () => {
    const post = (body: string, type: string) =>
      fetch(stack.graphqlUrl, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': type }, body });
    expect((await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]), 'application/json')).status).toBe(400);
    expect((await post('query=%7B__typename%7D', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post('{ __typename }', 'multipart/form-data; boundary=x')).status).toBe(415);
    const get = await fetch(`${stack.graphqlUrl}?query=${encodeURIComponent('mutation { createOrgUnit(input: { code: "get-x", name: "x", kind: OTHER }) { id } }')}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, accept: 'application/json' },
    });
    expect(get.status).toBe(405);
  });

  it('never shows the IDE in production', async () => {
    const page = await fetch(stack.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('answers CORS for configured origins only, also on 401', async () => {
    const preflight = await fetch(stack.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://dash.example.gov', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://dash.example.gov');
    const denied = await fetch(stack.graphqlUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(denied.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    const anonymous = await fetch(stack.graphqlUrl, { method: 'POST', headers: { origin: 'https://dash.example.gov', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('access-control-allow-origin')).toBe('https://dash.example.gov');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a token exceeds its budget', async () => {
    const limited = await startTestStack({ NODE_ENV: 'production', GENUINE_RATE_LIMIT: '5' });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 7; i++) {
        const res = await gql(limited.graphqlUrl, '{ __typename }');
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  });
});
