import { serverAudits } from 'graphql-http';
import { startTestStack, TEST_ADMIN_TOKEN, type RunningStack } from './support/stack';

/**
 * The gateway as any GraphQL-over-HTTP client expects it: every audit of graphql-http (MUST, SHOULD and MAY),
 * in production mode. The audits query `__type`, so introspection is enabled the way an operator would.
 */
let stack: RunningStack;
beforeAll(async () => {
  stack = await startTestStack({ NODE_ENV: 'production', GENUINE_INTROSPECTION: '1' });
});
afterAll(() => stack?.stop());

const authorizedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  return fetch(input, { ...init, headers });
};

describe('graphql-http server audits', () => {
  const audits = serverAudits({ url: () => stack.graphqlUrl, fetchFn: authorizedFetch });
  it.each(audits.map((a) => [a.name, a] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    expect({ status: result.status, reason: result.status === 'ok' ? undefined : result.reason }).toEqual({ status: 'ok', reason: undefined });
  });
});
