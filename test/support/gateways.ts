import pino from 'pino';
import { createAuthenticator, type Authenticator } from '@genuine/kit';
import { freePort } from '@genuine/kit/src/testing';
import { loadSupergraph, type GatewayOptions } from '@genuine/gateway';
import { startTestStack, TEST_ADMIN_TOKEN, type RunningStack } from './stack';
import { testDatabaseUrl } from './test-database';

/** A test stack whose subgraphs listen on known ports, for tests that start more gateways over the same subgraphs. */
export interface StackWithSubgraphs {
  stack: RunningStack;
  subgraphUrls: Record<'registry' | 'audit', string>;
  authenticator: Authenticator;
  /** Production-mode options for another gateway over the stack's subgraphs (introspection off, no rate limit). */
  gatewayOptions(overrides?: Partial<GatewayOptions>): GatewayOptions;
  stop(): Promise<void>;
}

export async function startStackWithSubgraphs(): Promise<StackWithSubgraphs> {
  const [registryPort, auditPort] = [await freePort(), await freePort()];
  const stack = await startTestStack({ REGISTRY_PORT: String(registryPort), AUDIT_PORT: String(auditPort) });
  const auth = createAuthenticator({ databaseUrl: testDatabaseUrl(), adminToken: TEST_ADMIN_TOKEN, jwt: {} });
  const subgraphUrls = { registry: `http://127.0.0.1:${registryPort}/graphql`, audit: `http://127.0.0.1:${auditPort}/graphql` };
  return {
    stack,
    subgraphUrls,
    authenticator: auth.authenticator,
    gatewayOptions: (overrides = {}) => ({
      supergraphSdl: loadSupergraph(),
      subgraphUrls,
      authenticator: auth.authenticator,
      production: true,
      introspection: false,
      corsOrigins: [],
      rateLimitPerMinute: 0,
      log: pino({ level: 'silent' }),
      databaseReady: async () => {},
      ...overrides,
    }),
    stop: async () => {
      await auth.close();
      await stack.stop();
    },
  };
}
