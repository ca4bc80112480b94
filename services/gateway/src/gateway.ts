import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { REQUEST_ID_HEADER, requestIdFrom, type Authenticator, type Logger, type RunningServer } from '@genuine/kit';
import { withSubgraphUrls } from './composition';
import { useClosedErrorCodes } from './error-policy';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Runtime URL of each subgraph's `/graphql`, by subgraph name. */
  subgraphUrls: Record<string, string>;
  authenticator: Authenticator;
  production: boolean;
  log: Logger;
  /** Checks the database for `/readyz`; throws when it is unreachable. */
  databaseReady: () => Promise<void>;
}

const AGENT_PATH = '/ocsinventory';

/**
 * The one public port: `/graphql` (Hive Gateway runtime over the committed supergraph), `/healthz`, `/readyz`
 * and the agents' `/ocsinventory`, forwarded to the audit service as it arrived. Bearer tokens are checked here
 * before any planning, and forwarded so each subgraph verifies the same token again.
 */
export async function startGateway(options: GatewayOptions, port: number, host: string): Promise<RunningServer> {
  const { log } = options;
  const runtime = createGatewayRuntime({
    supergraph: withSubgraphUrls(options.supergraphSdl, options.subgraphUrls),
    logging: false,
    graphiql: options.production ? false : { title: 'Genuine' },
    landingPage: false,
    requestId: { headerName: REQUEST_ID_HEADER, generateRequestId: ({ request }) => requestIdFrom(request.headers.get(REQUEST_ID_HEADER) ?? undefined) },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({
        authorization: request.headers.get('authorization'),
        [REQUEST_ID_HEADER]: request.headers.get(REQUEST_ID_HEADER),
      }),
    },
    plugins: () => [useClosedErrorCodes()],
  });

  const auditBase = new URL(options.subgraphUrls.audit);
  const subgraphHealth = Object.values(options.subgraphUrls).map((u) => new URL('/readyz', u).toString());

  const server = http.createServer(async (req, res) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/healthz' && req.method === 'GET') return json(res, 200, { status: 'ok', service: 'gateway' });
      if (path === '/readyz' && req.method === 'GET') return await readiness(res);
      if (path === AGENT_PATH) return await forwardToAudit(req, res, requestId);
      if (path === '/graphql' && !(await authenticated(req, res))) return;
      await runtime.requestListener(req, res);
    } catch (err) {
      log.error({ err, requestId }, 'gateway request failed');
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    }
  });

  async function authenticated(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    // The IDE page itself is public in development; every operation needs a token.
    if (req.method === 'GET' && !options.production && (req.headers.accept ?? '').includes('text/html')) return true;
    if (req.method === 'OPTIONS') return true;
    if (await options.authenticator.fromBearer(req.headers.authorization)) return true;
    const wantsGraphQLResponse = (req.headers.accept ?? '').includes('application/graphql-response+json');
    res.statusCode = 401;
    res.setHeader('content-type', wantsGraphQLResponse ? 'application/graphql-response+json; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('www-authenticate', 'Bearer realm="Genuine"');
    res.end(JSON.stringify({ errors: [{ message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }] }));
    req.resume();
    return false;
  }

  async function readiness(res: ServerResponse) {
    const checks: Record<string, string> = {};
    await Promise.all([
      options.databaseReady().then(
        () => (checks.database = 'ok'),
        () => (checks.database = 'unavailable'),
      ),
      ...subgraphHealth.map((url, i) =>
        fetch(url, { signal: AbortSignal.timeout(2000) }).then(
          (r) => (checks[Object.keys(options.subgraphUrls)[i]] = r.ok ? 'ok' : 'unavailable'),
          () => (checks[Object.keys(options.subgraphUrls)[i]] = 'unavailable'),
        ),
      ),
    ]);
    const ready = Object.values(checks).every((v) => v === 'ok');
    json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks });
  }

  /** Agents speak their own protocol; the gateway relays bytes and status untouched. */
  async function forwardToAudit(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 32 * 1024 * 1024) return json(res, 413, { error: 'inventory too large' });
      chunks.push(chunk as Buffer);
    }
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
    for (const name of ['authorization', 'content-type', 'content-encoding', 'user-agent']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(new URL(AGENT_PATH + (req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''), auditBase), {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
    });
    res.statusCode = upstream.status;
    for (const name of ['content-type', 'www-authenticate', 'content-encoding']) {
      const value = upstream.headers.get(name);
      if (value) res.setHeader(name, value);
    }
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}/graphql`;
  log.info({ url }, 'gateway listening');
  return {
    url,
    port: address.port,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after the grace period are cut so shutdown stays within its deadline.
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      await runtime.dispose();
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

