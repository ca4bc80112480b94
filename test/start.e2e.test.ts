import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { gql, startTestStack } from './support/stack';

/** `npm start` as a newcomer runs it: no DATABASE_URL, so the embedded database under GENUINE_DATA_DIR. */
describe('npm start on the embedded database', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'genuine-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATABASE_URL: '', GENUINE_ADMIN_TOKEN: '', GENUINE_DATA_DIR: dataDir, GENUINE_DEMO: '1' };

  it('serves the demo, stops cleanly on SIGTERM, and keeps its data for the next start', async () => {
    const first = await startTestStack(env);
    const token = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    expect(first.output()).toContain(`admin token: ${token}`);
    expect((await gql(first.graphqlUrl, '{ orgUnit(code: "nanxun") { name kind } }', {}, { token })).body).toEqual({
      data: { orgUnit: { name: '南浔区人民政府', kind: 'DISTRICT' } },
    });
    const registered = await gql(first.graphqlUrl, 'mutation { registerMachine(input: { orgUnitCode: "nanxun-finance", hostname: "kept-01", kind: LAPTOP }) { id } }', {}, { token });
    expect(registered.body.errors).toBeUndefined();
    const stopped = await first.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);

    const second = await startTestStack(env);
    try {
      const res = await gql(second.graphqlUrl, '{ machines(filter: { search: "kept-01" }) { totalCount edges { node { hostname orgUnit { code } } } } }', {}, { token });
      expect(res.body).toEqual({ data: { machines: { totalCount: 1, edges: [{ node: { hostname: 'kept-01', orgUnit: { code: 'nanxun-finance' } } }] } } });
    } finally {
      expect((await second.stop('SIGINT')).code).toBe(0);
    }
  }, 120_000);
});

describe('start-up configuration', () => {
  it('refuses to start with one message listing every bad variable', () => {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/start.ts'], {
      cwd: path.resolve(__dirname, '..'),
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', DATABASE_URL: 'not a url', GENUINE_ADMIN_TOKEN: 'short' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration:');
    expect(result.stderr).toMatch(/PORT: .*expected a TCP port number/);
    expect(result.stderr).toMatch(/DATABASE_URL: .*PostgreSQL URL/);
    expect(result.stderr).toMatch(/GENUINE_ADMIN_TOKEN: .*at least 16 characters/);
    expect(result.stderr).not.toContain('short');
  });
});
