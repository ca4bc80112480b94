import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { flatHeaders, REQUEST_ID_HEADER, requestIdFrom, sha256, type Authenticator, type Logger, type RunningServer } from '@genuine/kit';
import { relayAgentRequest, sendRelayedAnswer, type RelayedAnswer } from './agent-relay';
import { withSubgraphUrls } from './composition';
import { useClosedErrorCodes } from './error-policy';
import { limitPlugins, operationCost, operationLimits, RateLimiter } from './hardening';
import { SoleSubgraphShortcut, type OperationBody, type SoleSubgraphOptions } from './single-subgraph';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Runtime URL of each subgraph's `/graphql`, by subgraph name. */
  subgraphUrls: Record<string, string>;
  authenticator: Authenticator;
  production: boolean;
  /** Introspection and the GraphiQL IDE. */
  introspection: boolean;
  corsOrigins: string[];
  rateLimitPerMinute: number;
  log: Logger;
  /** Checks the database for `/readyz`; throws when it is unreachable. */
  databaseReady: () => Promise<void>;
  /**
   * Send a query that one subgraph answers alone straight to it and relay its answer (default on); off, every
   * operation goes through the query planner. Clients cannot tell the difference (test/gateway-shortcut.e2e.test.ts).
   */
  soleSubgraphShortcut?: boolean;
  /** Told how each operation was routed by the shortcut (tests). */
  onRoute?: SoleSubgraphOptions['onRoute'];
  /**
   * The audit service's agent endpoint when it runs in this process (`npm start`): agent requests are handed to it
   * in memory rather than relayed over HTTP. Agents see the same answers either way (test/agents.e2e.test.ts runs
   * both); without it, `/ocsinventory` is relayed to `subgraphUrls.audit`.
   */
  localAgentEndpoint?: (request: LocalAgentRequest) => Promise<RelayedAnswer>;
}

/** An agent request as handed to an in-process agent endpoint: header names in lower case, the body read. */
export interface LocalAgentRequest {
  method: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
  requestId: string;
}

const AGENT_PATH = '/ocsinventory';
const MAX_AGENT_BODY = 32 * 1024 * 1024;
/** Body types a GraphQL POST may have; form encodings are refused so a browser form cannot post a mutation. */
const GRAPHQL_BODY_TYPES = ['application/json', 'application/graphql-response+json', 'application/graphql+json'];

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The one public port: `/graphql` (Hive Gateway runtime over the committed supergraph), `/healthz`, `/readyz`
 * and the agents' `/ocsinventory`, relayed to the audit service as it arrived. Before any planning, a GraphQL
 * request must be a JSON body under the size limit, carry a valid bearer token (forwarded so each subgraph
 * verifies it again), and fit its caller's rate limit.
 */
export async function startGateway(options: GatewayOptions, port: number, host: string): Promise<RunningServer> {
  const { log } = options;
  const supergraph = withSubgraphUrls(options.supergraphSdl, options.subgraphUrls);
  // What every subgraph request carries, whether the planner or the shortcut sends it.
  const subgraphHeaders = (headers: { get(name: string): string | null }) => ({
    authorization: headers.get('authorization'),
    [REQUEST_ID_HEADER]: headers.get(REQUEST_ID_HEADER),
  });
  const shortcut =
    options.soleSubgraphShortcut === false
      ? null
      : new SoleSubgraphShortcut({
          supergraphSdl: supergraph,
          subgraphUrls: options.subgraphUrls,
          subgraphHeaders,
          costOf: operationCost,
          maxCost: operationLimits.maxCost,
          onRoute: options.onRoute,
        });
  const runtime = createGatewayRuntime({
    supergraph,
    logging: false,
    graphiql: options.introspection ? { title: 'Genuine' } : false,
    landingPage: false,
    disableIntrospection: options.introspection ? undefined : { disableIf: () => true },
    cors: options.corsOrigins.length
      ? { origin: options.corsOrigins, credentials: true, allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER], exposedHeaders: [REQUEST_ID_HEADER] }
      : false,
    requestId: { headerName: REQUEST_ID_HEADER, generateRequestId: ({ request }) => requestIdFrom(request.headers.get(REQUEST_ID_HEADER) ?? undefined) },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => subgraphHeaders(request.headers),
    },
    // The shortcut comes last: it sees only operations that passed validation, the limits and the cost limit.
    plugins: () => [
      ...limitPlugins({ blockFieldSuggestions: options.production }),
      useClosedErrorCodes(),
      ...(shortcut ? [shortcut.plugin()] : []),
    ],
    // In-flight deduplication never applies here (every subgraph request carries its own request id) yet costs a
    // structuredClone of every subgraph answer: a tenth of the gateway's time on a 1,000-object dashboard.
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
  });
  const rateLimiter = new RateLimiter(options.rateLimitPerMinute);
  const auditBase = new URL(options.subgraphUrls.audit);

  const server = http.createServer(async (req, res) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/healthz' && req.method === 'GET') return json(res, 200, { status: 'ok', service: 'gateway' });
      if (path === '/readyz' && req.method === 'GET') return await readiness(res);
      if (path === AGENT_PATH) return await forwardToAudit(req, res, requestId);
      if (path === '/graphql') return await graphql(req, res);
      return json(res, 404, { error: 'not found' });
    } catch (err) {
      if (err instanceof HttpFailure) return graphqlError(req, res, err);
      log.error({ err, requestId }, 'gateway request failed');
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    }
  });

  async function graphql(req: IncomingMessage, res: ServerResponse) {
    const method = req.method ?? 'GET';
    // Preflight and the IDE page are answered by the runtime without a token; every operation needs one.
    const wantsPage = method === 'GET' && options.introspection && (req.headers.accept ?? '').includes('text/html');
    let body: Buffer | undefined;
    let operation: OperationBody | undefined;
    if (method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!GRAPHQL_BODY_TYPES.includes(type)) {
        throw new HttpFailure(415, 'Send GraphQL requests as application/json', 'BAD_USER_INPUT');
      }
      body = await readBody(req, operationLimits.maxBodyBytes);
      operation = singleOperation(body);
    }
    if (method !== 'OPTIONS' && !wantsPage) {
      const actor = await options.authenticator.fromBearer(req.headers.authorization);
      if (!actor) throw new HttpFailure(401, 'A valid bearer token is required', 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer realm="Genuine"' });
      const retryAfter = rateLimiter.take(sha256(req.headers.authorization ?? '').toString('base64'));
      if (retryAfter > 0) throw new HttpFailure(429, 'Too many requests for this token; retry later', 'BAD_USER_INPUT', { 'retry-after': String(retryAfter) });
    }
    // An operation that already took the sole-subgraph shortcut through the runtime is answered without it. A
    // browser's cross-origin request (CORS headers) and anything but a plain POST to /graphql go to the runtime.
    if (shortcut && operation && req.url === '/graphql' && req.headers.origin === undefined && isJsonRequest(req.headers['content-type'])) {
      const direct = await shortcut.answer(operation, { headers: nodeHeaders(req), accept: req.headers.accept, req });
      if (direct) {
        res.statusCode = 200;
        res.setHeader('content-type', direct.contentType);
        res.setHeader('content-length', direct.bytes.length);
        res.end(direct.bytes);
        return;
      }
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(', '));
    }
    const response = await runtime.fetch(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`, { method, headers, body }, { req, res });
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  /** Errors decided before the runtime sees the request, in the shape and media type the client asked for. */
  function graphqlError(req: IncomingMessage, res: ServerResponse, failure: HttpFailure) {
    req.resume();
    const wantsGraphQLResponse = (req.headers.accept ?? '').includes('application/graphql-response+json');
    res.statusCode = failure.status;
    for (const [name, value] of Object.entries(failure.headers)) res.setHeader(name, value);
    const origin = req.headers.origin;
    if (origin && options.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', REQUEST_ID_HEADER);
      res.setHeader('vary', 'Origin');
    }
    res.setHeader('content-type', `${wantsGraphQLResponse ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8`);
    res.end(JSON.stringify({ errors: [{ message: failure.message, extensions: { code: failure.code } }] }));
  }

  async function readiness(res: ServerResponse) {
    const names = Object.keys(options.subgraphUrls);
    const checks: Record<string, string> = {};
    await Promise.all([
      options.databaseReady().then(
        () => (checks.database = 'ok'),
        () => (checks.database = 'unavailable'),
      ),
      ...names.map((name) =>
        fetch(new URL('/readyz', options.subgraphUrls[name]), { signal: AbortSignal.timeout(2000) }).then(
          (r) => (checks[name] = r.ok ? 'ok' : 'unavailable'),
          () => (checks[name] = 'unavailable'),
        ),
      ),
    ]);
    const ready = Object.values(checks).every((v) => v === 'ok');
    json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks });
  }

  /** Agents speak their own protocol; the gateway relays bytes, status and the headers they need, untouched. */
  async function forwardToAudit(req: IncomingMessage, res: ServerResponse, requestId: string) {
    let body: Buffer | undefined;
    try {
      body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, MAX_AGENT_BODY);
    } catch (err) {
      if (err instanceof HttpFailure) return json(res, err.status, { error: err.message });
      throw err;
    }
    const local = options.localAgentEndpoint;
    const answer = local
      ? withoutConnectionHeader(await local({ method: req.method ?? 'POST', headers: flatHeaders(req.headers), body: body ?? Buffer.alloc(0), requestId }))
      : await relayAgentRequest(req, body, { base: auditBase, path: AGENT_PATH, requestIdHeader: REQUEST_ID_HEADER, requestId });
    sendRelayedAnswer(res, answer);
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

/** The gateway keeps its own connections: like the relay, it does not pass the endpoint's `connection` on. */
function withoutConnectionHeader(answer: RelayedAnswer): RelayedAnswer {
  const { connection: _connection, ...headers } = answer.headers;
  return { ...answer, headers };
}


/** A POST body must be one JSON object: malformed JSON, an empty body and batched arrays are refused with 400. */
function singleOperation(body: Buffer): OperationBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'The request body is not valid JSON', 'BAD_USER_INPUT');
  }
  if (Array.isArray(parsed)) throw new HttpFailure(400, 'Batched operations are not supported; send one operation per request', 'BAD_USER_INPUT');
  if (parsed === null || typeof parsed !== 'object') throw new HttpFailure(400, 'The request body must be a JSON object', 'BAD_USER_INPUT');
  return parsed as OperationBody;
}

/** A body the runtime's request parser reads as JSON (graphql-yoga's test, to the letter). */
function isJsonRequest(contentType: string | undefined): boolean {
  const first = contentType?.split(',')[0];
  return ['application/json', 'application/graphql+json'].some((type) => first === type || Boolean(first?.startsWith(`${type};`)));
}

/** `get` over a Node request's headers, as the Fetch API's Headers has it. */
function nodeHeaders(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get: (name) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** Reads a request body, refusing (413) past `limit` bytes without buffering the rest. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpFailure(413, `Request body over ${limit} bytes`, 'BAD_USER_INPUT');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpFailure(413, `Request body over ${limit} bytes`, 'BAD_USER_INPUT');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
