import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request } from 'express';
import { execute, GraphQLError, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
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

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

/** Compiled operations kept per subgraph; beyond that the least recently used is dropped. */
const COMPILED_OPERATIONS = 500;

/**
 * Executes operations with graphql-jit: each (document, operation) is compiled once into a function that resolves
 * and serializes without graphql-js's per-field interpretation (a 1,000-machine dashboard page executes in less
 * than half the CPU). An operation graphql-jit cannot compile runs on graphql-js `execute`, as before. Apollo
 * Server takes a custom executor only through its gateway interface, hence the shape: the schema is fixed, `load`
 * announces it once.
 */
export function jitExecutor(schema: GraphQLSchema): GatewayInterface {
  type Compiled = CompiledQuery<Record<string, unknown>, Record<string, unknown>>;
  const compiled = new Map<string, Compiled | null>();
  const executor: GatewayExecutor = async (request) => {
    const key = `${request.queryHash}\u0000${request.operationName ?? ''}`;
    let query = compiled.get(key);
    if (query === undefined) {
      query = null;
      try {
        const result = compileQuery<Record<string, unknown>, Record<string, unknown>>(request.schema, request.document, request.operationName ?? undefined);
        if (isCompiledQuery<Compiled, ExecutionResult>(result)) query = result;
      } catch {
        // graphql-js executes what graphql-jit cannot compile
      }
      if (compiled.size >= COMPILED_OPERATIONS) compiled.delete(compiled.keys().next().value as string);
    } else compiled.delete(key);
    compiled.set(key, query);
    if (!query) {
      return execute({
        schema: request.schema,
        document: request.document,
        contextValue: request.context,
        variableValues: request.request.variables,
        operationName: request.operationName,
      }) as Promise<ExecutionResult>;
    }
    return query.query(undefined, request.context, request.request.variables ?? {}) as ExecutionResult | Promise<ExecutionResult>;
  };
  const listeners = new Set<Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]>();
  return {
    onSchemaLoadOrUpdate(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    async load() {
      const coreSupergraphSdl = printSchema(schema);
      for (const listener of listeners) listener({ apiSchema: schema, coreSupergraphSdl });
      return { executor };
    },
    async stop() {
      listeners.clear();
      compiled.clear();
    },
  };
}

/**
 * A subgraph's HTTP front: `/graphql` behind bearer authentication, `/healthz`, `/readyz`, and the request id
 * accepted from the gateway (or made) and echoed. Operations run on graphql-jit (`jitExecutor`). Apollo's
 * cache-control, inline-trace and reporting plugins are off: the gateway does not use them and the first two
 * cost a third of the throughput on large responses.
 */
export class SubgraphServer<TContext extends object> {
  private readonly app: Express;
  private readonly httpServer: http.Server;
  private readonly apollo: ApolloServer<TContext>;

  constructor(private readonly options: SubgraphServerOptions<TContext>) {
    this.app = express();
    this.app.disable('x-powered-by');
    // Only the gateway reads subgraph answers, and never revalidates them: no ETag (a SHA-1 of every large answer).
    this.app.disable('etag');
    this.httpServer = http.createServer(this.app);
    this.apollo = new ApolloServer<TContext>({
      gateway: jitExecutor(options.schema),
      introspection: !options.production,
      includeStacktraceInErrorResponses: false,
      // The process's shutdown belongs to stopOnSignals (or to the stack that holds this server): Apollo's own
      // SIGTERM handler raced it, and every subgraph then waited out the 10 s deadline and exited 1.
      stopOnTerminationSignals: false,
      formatError: (formatted, error) => formatError(formatted, error, options.log),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer: this.httpServer }),
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginInlineTraceDisabled(),
        ApolloServerPluginUsageReportingDisabled(),
        ApolloServerPluginSchemaReportingDisabled(),
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
  /** Releases what `routes` holds (e.g. threads), once HTTP has drained. */
  close?: () => Promise<void>;
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
        await spec.close?.();
        await orm.close();
      },
    };
  } catch (err) {
    await orm.close();
    throw err;
  }
}
