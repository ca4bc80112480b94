import { uniqueCode } from '@genuine/kit/src/testing';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { gql } from './support/stack';
import { testDatabaseUrl } from './support/test-database';

/*
 * The standalone entry points a container runs (infra/docker: `registry`, `audit`, `gateway`), each in its own
 * process as in a deployment, on this worker's migrated database; queried through the gateway.
 */
type Part = ServiceProcess;
const startPart = (name: 'registry' | 'audit' | 'gateway', env: Record<string, string>) => startServiceProcess(name, env, { timeoutMs: 60_000 });

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
