import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { uniqueCode } from '@genuine/kit/src/testing';
import { gql, TEST_ADMIN_TOKEN } from './support/stack';
import { testDatabaseUrl } from './support/test-database';

/*
 * The standalone entry points a container runs (infra/docker: `registry`, `audit`, `gateway`), each in its own
 * process as in a deployment, on this worker's migrated database; queried through the gateway.
 */
const root = path.resolve(__dirname, '..');

interface Part {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
}

/** Starts `services/<name>/src/main.ts` on a free port and resolves with the URL from its "listening" log line. */
async function startPart(name: 'registry' | 'audit' | 'gateway', env: Record<string, string>): Promise<Part> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', `services/${name}/src/main.ts`], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      GENUINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      DATABASE_POOL_MAX: '4',
      PORT: '0',
      REGISTRY_PORT: '0',
      AUDIT_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${output}`)), 60_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output += `${line}\n`;
      const entry = parseJson(line);
      if (typeof entry?.url === 'string' && /listening/.test(String(entry.msg))) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${output}`));
    });
  });
  return { name, child, url, output: () => output };
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function stop(part: Part | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
  return new Promise((resolve) => {
    if (!part || part.child.exitCode !== null) return resolve({ code: part?.child.exitCode ?? null, ms: 0 });
    const started = Date.now();
    part.child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
    part.child.kill(signal);
  });
}

describe('standalone entry points (one process per service)', () => {
  let registry: Part | undefined;
  let audit: Part | undefined;
  let gateway: Part | undefined;
  afterAll(async () => {
    await Promise.all([stop(gateway), stop(registry), stop(audit)]);
  });

  it('serve the API through the gateway, report readiness, and drain on SIGTERM/SIGINT', async () => {
    [registry, audit] = await Promise.all([
      startPart('registry', { DATABASE_URL: testDatabaseUrl() }),
      startPart('audit', { DATABASE_URL: testDatabaseUrl() }),
    ]);
    gateway = await startPart('gateway', { DATABASE_URL: testDatabaseUrl(), REGISTRY_URL: registry.url, AUDIT_URL: audit.url });
    const base = new URL(gateway.url).origin;

    const ready = await fetch(`${base}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', registry: 'ok', audit: 'ok' } },
    });

    const unit = uniqueCode('infra');
    const created = await gql(gateway.url, `mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { code kind } }`, {
      input: { code: unit, name: 'Infra', kind: 'DEPARTMENT' },
    });
    expect(created.body).toEqual({ data: { createOrgUnit: { code: unit, kind: 'DEPARTMENT' } } });
    const registered = await gql(gateway.url, `mutation($input: RegisterMachineInput!) { registerMachine(input: $input) { hostname } }`, {
      input: { orgUnitCode: unit, hostname: 'infra-pc-1', kind: 'DESKTOP' },
    });
    expect(registered.body).toEqual({ data: { registerMachine: { hostname: 'infra-pc-1' } } });
    // One query planned over both subgraph processes: machines from the registry, installations from the audit.
    const listed = await gql(
      gateway.url,
      `query($code: String!) { machines(filter: { orgUnitCode: $code }) { totalCount edges { node { hostname orgUnit { code } installations(first: 5) { totalCount } } } } }`,
      { code: unit },
    );
    expect(listed.body).toEqual({
      data: { machines: { totalCount: 1, edges: [{ node: { hostname: 'infra-pc-1', orgUnit: { code: unit }, installations: { totalCount: 0 } } }] } },
    });
    expect((await gql(gateway.url, '{ orgUnit(code: "x") { code } }', {}, { token: null })).status).toBe(401);

    // A subgraph going away turns the gateway's readiness off (so Kubernetes stops routing to it) but not liveness.
    expect(await stop(audit, 'SIGINT')).toEqual({ code: 0, ms: expect.any(Number) });
    const degraded = await fetch(`${base}/readyz`);
    expect({ status: degraded.status, body: await degraded.json() }).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { database: 'ok', registry: 'ok', audit: 'unavailable' } },
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    for (const part of [gateway, registry]) {
      const stopped = await stop(part);
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(10_000);
    }
  }, 120_000);

  it('refuse to start a subgraph without DATABASE_URL, with one configuration message', async () => {
    await expect(startPart('registry', { DATABASE_URL: '' })).rejects.toThrow(/exited with 1[\s\S]*Invalid configuration:[\s\S]*DATABASE_URL: required/);
  });
});
