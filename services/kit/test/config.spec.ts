import { ConfigError, loadConfig } from '@genuine/kit';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      nodeEnv: 'development',
      production: false,
      ports: { gateway: 4000, registry: 4001, audit: 4002 },
      registryUrl: 'http://127.0.0.1:4001/graphql',
      auditUrl: 'http://127.0.0.1:4002/graphql',
      databaseUrl: undefined,
      dataDir: './.genuine',
      demo: true,
      adminToken: undefined,
    });
  });

  it('treats empty strings as unset and parses flags', () => {
    expect(loadConfig({ DATABASE_URL: '', GENUINE_DEMO: '0', NODE_ENV: 'production' })).toMatchObject({ databaseUrl: undefined, demo: false, production: true });
  });

  it('lists every bad variable in one error, with hints and without the secret values', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', AUDIT_PORT: '70000', DATABASE_URL: 'nope', GENUINE_ADMIN_TOKEN: 'tiny-secret', GENUINE_DEMO: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(problems).toEqual(['AUDIT_PORT', 'DATABASE_URL', 'GENUINE_ADMIN_TOKEN', 'GENUINE_DEMO', 'PORT']);
    expect((error as Error).message).not.toContain('tiny-secret');
    expect((error as Error).message).toContain('openssl rand -hex 32');
  });
});
