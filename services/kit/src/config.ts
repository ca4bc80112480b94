import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * Every environment variable Genuine reads, validated once at start-up. `process.env` is read nowhere else:
 * services receive a typed `Config`. A bad value stops start-up with one error that lists every problem.
 */
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalUrl = z.preprocess(blankToUndefined, z.string().url().optional());
const optionalSecret = (min: number) => z.preprocess(blankToUndefined, z.string().min(min).optional());
const flag = (fallback: boolean) =>
  z
    .enum(['0', '1', 'true', 'false', 'yes', 'no'])
    .default(fallback ? '1' : '0')
    .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port(4000),
  REGISTRY_PORT: port(4001),
  AUDIT_PORT: port(4002),
  HOST: z.string().default('127.0.0.1'),
  REGISTRY_URL: optionalUrl,
  AUDIT_URL: optionalUrl,
  DATABASE_URL: optionalUrl,
  DATABASE_READ_URL: optionalUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  GENUINE_DATA_DIR: z.string().min(1).default('./.genuine'),
  GENUINE_DEMO: flag(true),
  GENUINE_BACKGROUND_WORKERS: flag(true),
  GENUINE_ADMIN_TOKEN: optionalSecret(16),
  GENUINE_INTERNAL_SECRET: optionalSecret(32),
  GENUINE_LICENSE_KEY_SECRET: optionalSecret(32),
  GENUINE_JWT_SECRET: optionalSecret(32),
  GENUINE_JWKS_URL: optionalUrl,
  GENUINE_JWT_ISSUER: z.preprocess(blankToUndefined, z.string().optional()),
  GENUINE_JWT_AUDIENCE: z.preprocess(blankToUndefined, z.string().optional()),
  GENUINE_INTROSPECTION: z.preprocess(blankToUndefined, z.enum(['0', '1', 'true', 'false']).optional()),
  GENUINE_CORS_ORIGINS: z.preprocess(blankToUndefined, z.string().optional()),
  GENUINE_RATE_LIMIT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(1_000_000).optional()),
  GENUINE_INGEST_THREADS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(64).optional()),
});

export type Config = Readonly<{
  nodeEnv: 'development' | 'production' | 'test';
  production: boolean;
  logLevel: string;
  host: string;
  ports: { gateway: number; registry: number; audit: number };
  registryUrl: string;
  auditUrl: string;
  databaseUrl: string | undefined;
  databaseReadUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  demo: boolean;
  /** Whether this process runs background work (the compliance engine's worker). */
  backgroundWorkers: boolean;
  adminToken: string | undefined;
  internalSecret: string | undefined;
  licenseKeySecret: string | undefined;
  jwt: { secret: string | undefined; jwksUrl: string | undefined; issuer: string | undefined; audience: string | undefined };
  /** Introspection and the IDE: on in development, off in production unless GENUINE_INTROSPECTION=1. */
  introspection: boolean;
  /** Origins allowed to call the API from a browser; empty means no cross-origin access. */
  corsOrigins: string[];
  /** Requests per minute per token and gateway replica; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Threads the audit service reads agent inventories on (inflate, parse, normalize); 0 reads them on the main thread. */
  ingestThreads: number;
}>;

const hints: Record<string, string> = {
  PORT: 'a TCP port number such as 4000',
  REGISTRY_PORT: 'a TCP port number such as 4001',
  AUDIT_PORT: 'a TCP port number such as 4002',
  DATABASE_URL: 'a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/genuine, or unset for the embedded database',
  DATABASE_READ_URL: 'a PostgreSQL URL of a read replica, or unset',
  DATABASE_POOL_MAX: 'connections per service pool, 1 to 200',
  GENUINE_DEMO: '1 to load the demo data on first start, 0 to skip it',
  GENUINE_BACKGROUND_WORKERS: '1 to run background work in this process (default), 0 for a serving-only replica',
  GENUINE_ADMIN_TOKEN: 'at least 16 characters; prefer 32 random bytes, e.g. `openssl rand -hex 32`',
  GENUINE_INTERNAL_SECRET: 'at least 32 characters shared by the gateway and the subgraphs',
  GENUINE_LICENSE_KEY_SECRET: '32 random bytes as 64 hex characters or base64 (`openssl rand -hex 32`)',
  NODE_ENV: 'development, production or test',
  GENUINE_JWT_SECRET: 'an HS256 secret of at least 32 characters',
  GENUINE_JWKS_URL: "the URL of your identity provider's JWKS",
  GENUINE_INTROSPECTION: '1 or 0',
  GENUINE_RATE_LIMIT: 'requests per minute per token, 0 for no limit',
  GENUINE_INGEST_THREADS: 'threads reading agent inventories, 0 to 64 (0: on the main thread)',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
};

/** Thrown when the environment is invalid; its message lists every bad variable with a hint. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const hint = hints[name];
      return `${name}: ${issue.message}${hint ? ` (expected ${hint})` : ''}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = parsed.data;
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    ports: { gateway: e.PORT, registry: e.REGISTRY_PORT, audit: e.AUDIT_PORT },
    registryUrl: e.REGISTRY_URL ?? `http://127.0.0.1:${e.REGISTRY_PORT}/graphql`,
    auditUrl: e.AUDIT_URL ?? `http://127.0.0.1:${e.AUDIT_PORT}/graphql`,
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    dataDir: e.GENUINE_DATA_DIR,
    demo: e.GENUINE_DEMO,
    backgroundWorkers: e.GENUINE_BACKGROUND_WORKERS,
    adminToken: e.GENUINE_ADMIN_TOKEN,
    internalSecret: e.GENUINE_INTERNAL_SECRET,
    licenseKeySecret: e.GENUINE_LICENSE_KEY_SECRET,
    jwt: { secret: e.GENUINE_JWT_SECRET, jwksUrl: e.GENUINE_JWKS_URL, issuer: e.GENUINE_JWT_ISSUER, audience: e.GENUINE_JWT_AUDIENCE },
    introspection: e.GENUINE_INTROSPECTION === undefined ? e.NODE_ENV !== 'production' : e.GENUINE_INTROSPECTION === '1' || e.GENUINE_INTROSPECTION === 'true',
    corsOrigins: (e.GENUINE_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    rateLimitPerMinute: e.GENUINE_RATE_LIMIT ?? (e.NODE_ENV === 'production' ? 1200 : 0),
    // One core is left to the main thread (and, on a small machine, to PostgreSQL); four are plenty for any fleet.
    ingestThreads: e.GENUINE_INGEST_THREADS ?? Math.min(4, Math.max(1, availableParallelism() - 1)),
  });
}

/** The table the README shows: every variable, its default and what it means. */
export const configVariables = Object.keys(schema.shape);
