import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Actor, Authenticator } from './auth';
import { REQUEST_ID_HEADER, requestIdFrom } from './context';
import { ErrorCode, formatError } from './errors';

export interface SubgraphServerOptions<TContext> {
  name: string;
  schema: GraphQLSchema;
  log: Logger;
  authenticator: Authenticator;
  production: boolean;
  /** Checks the service's dependencies for `/readyz`; throws when one is unreachable. */
  ready: () => Promise<void>;
  /** Builds the per-request context once the caller is known. */
  context: (args: { actor: Actor; requestId: string; log: Logger; req: Request }) => TContext;
  /** Extra routes (e.g. the agent endpoint) mounted before `/graphql`. */
  routes?: (app: Express) => void;
  plugins?: ApolloServerPlugin[];
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * A subgraph's HTTP front: `/graphql` behind bearer authentication, `/healthz`, `/readyz`, and the request id
 * accepted from the gateway (or made) and echoed. Apollo's cache-control and inline-trace plugins are off: the
 * gateway does not use them and they cost a third of the throughput on large responses.
 */
export class SubgraphServer<TContext extends object> {
  private readonly app: Express;
  private readonly httpServer: http.Server;
  private readonly apollo: ApolloServer<TContext>;

  constructor(private readonly options: SubgraphServerOptions<TContext>) {
    this.app = express();
    this.app.disable('x-powered-by');
    this.httpServer = http.createServer(this.app);
    this.apollo = new ApolloServer<TContext>({
      schema: options.schema,
      introspection: !options.production,
      includeStacktraceInErrorResponses: false,
      formatError: (formatted, error) => formatError(formatted, error, options.log),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer: this.httpServer }),
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginInlineTraceDisabled(),
        ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : []),
        ...(options.plugins ?? []),
      ],
    });
  }

  async listen(port: number, host: string): Promise<RunningServer> {
    const { log } = this.options;
    await this.apollo.start();
    this.app.use((req, res, next) => {
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.locals.requestId = requestId;
      res.setHeader(REQUEST_ID_HEADER, requestId);
      next();
    });
    this.app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok', service: this.options.name });
    });
    this.app.get('/readyz', async (_req, res) => {
      try {
        await this.options.ready();
        res.json({ status: 'ready', service: this.options.name });
      } catch (err) {
        log.warn({ err }, 'not ready');
        res.status(503).json({ status: 'unavailable', service: this.options.name });
      }
    });
    this.options.routes?.(this.app);
    this.app.use(
      '/graphql',
      express.json({ limit: '1mb' }),
      expressMiddleware(this.apollo, {
        context: async ({ req, res }) => {
          const requestId = String(res.locals.requestId);
          const actor = await this.options.authenticator.fromBearer(req.headers.authorization);
          if (!actor) {
            throw new GraphQLError('A valid bearer token is required', {
              extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
            });
          }
          const child = log.child({ requestId, actor: actor.id });
          // One line per request at debug level: the operation, never its variables (they may carry secrets).
          child.debug({ operation: typeof req.body?.operationName === 'string' ? req.body.operationName : null }, 'graphql request');
          return this.options.context({ actor, requestId, log: child, req });
        },
      }),
    );
    await new Promise<void>((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(port, host, () => resolve());
    });
    const address = this.httpServer.address() as AddressInfo;
    const url = `http://${host}:${address.port}/graphql`;
    log.info({ url }, `${this.options.name} subgraph listening`);
    return {
      url,
      port: address.port,
      stop: async () => {
        await this.apollo.stop();
      },
    };
  }
}

export interface SubgraphServiceSpec<TContext extends object> {
  name: string;
  orm: import('@mikro-orm/postgresql').Options;
  buildSchema: () => Promise<{ schema: GraphQLSchema }>;
  createContext: (args: { em: import('@mikro-orm/postgresql').EntityManager; actor: Actor; requestId: string; log: Logger }) => TContext;
  routes?: (app: Express, orm: import('@mikro-orm/postgresql').MikroORM) => void;
  /** Background work started once serving (e.g. a change-log consumer); stopped before the pool closes. */
  background?: (orm: import('@mikro-orm/postgresql').MikroORM) => { stop(): Promise<void> };
}

export interface SubgraphRuntimeOptions {
  production: boolean;
  authenticator: Authenticator;
  log: Logger;
  port: number;
  host: string;
}

export interface RunningService extends RunningServer {
  readonly orm: import('@mikro-orm/postgresql').MikroORM;
}

/** Opens a subgraph's ORM, builds its schema and serves it; `stop` drains HTTP, then closes the pool. */
export async function startSubgraphService<TContext extends object>(
  spec: SubgraphServiceSpec<TContext>,
  runtime: SubgraphRuntimeOptions,
): Promise<RunningService> {
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const orm = await MikroORM.init(spec.orm);
  try {
    const { schema } = await spec.buildSchema();
    const server = new SubgraphServer<TContext>({
      name: spec.name,
      schema,
      log: runtime.log,
      production: runtime.production,
      authenticator: runtime.authenticator,
      ready: async () => {
        await orm.em.getConnection().execute('select 1');
      },
      context: ({ actor, requestId, log }) => spec.createContext({ em: orm.em.fork(), actor, requestId, log }),
      routes: spec.routes ? (app) => spec.routes?.(app, orm) : undefined,
    });
    const running = await server.listen(runtime.port, runtime.host);
    const background = spec.background?.(orm);
    return {
      ...running,
      orm,
      stop: async () => {
        await running.stop();
        await background?.stop();
        await orm.close();
      },
    };
  } catch (err) {
    await orm.close();
    throw err;
  }
}
