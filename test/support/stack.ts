import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testDatabaseUrl } from './test-database';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
const root = path.resolve(__dirname, '../..');

export interface RunningStack {
  readonly graphqlUrl: string;
  readonly baseUrl: string;
  readonly process: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Sends `signal` and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * Runs `npm start`'s entry point in a child process, exactly as a user would, on free ports. By default it uses
 * this worker's migrated test database; pass `DATABASE_URL: ''` and a `GENUINE_DATA_DIR` for the embedded one.
 */
/**
 * The environment a test gives a service process: nothing inherited but PATH and HOME, test mode, the test admin
 * token, every port chosen by the process; `overrides` last.
 */
export function serviceEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    GENUINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    PORT: '0',
    REGISTRY_PORT: '0',
    AUDIT_PORT: '0',
    ...overrides,
  };
}

export async function startTestStack(env: Record<string, string> = {}): Promise<RunningStack> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'scripts/start.ts'], {
    cwd: root,
    env: serviceEnv({ LOG_LEVEL: 'warn', DATABASE_URL: testDatabaseUrl(), GENUINE_DEMO: '0', DATABASE_POOL_MAX: '5', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const graphqlUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack did not start within 120 s:\n${output}`)), 120_000);
    const check = () => {
      const match = /Genuine is running: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stack exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    graphqlUrl,
    baseUrl: new URL(graphqlUrl).origin,
    process: child,
    output: () => output,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve({ code: child.exitCode, ms: 0 });
        const started = Date.now();
        child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
        child.kill(signal);
      }),
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> };
}

/** Posts one operation to the gateway as a dashboard would. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.headers ?? {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T>['body'] };
}
