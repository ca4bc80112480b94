import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { JwtVerifier } from '@genuine/kit';

const units = { byCode: async (code: string) => (code === 'nanxun' ? { id: '00000000-0000-4000-8000-000000000001', code } : null) };
const secret = 'a-shared-hs256-secret-of-32-chars-or-more!';
const sign = (claims: Record<string, unknown>, key: Uint8Array | KeyLike = new TextEncoder().encode(secret), alg = 'HS256') =>
  new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).setSubject('alice').setIssuedAt().setExpirationTime('5m').sign(key);

describe('JwtVerifier', () => {
  const verifier = new JwtVerifier({ secret }, units);

  it('maps role and unit claims to a scoped actor', async () => {
    expect(await verifier.verify(await sign({ role: 'VIEWER', unit: 'nanxun' }))).toEqual({
      id: 'jwt:alice',
      role: 'VIEWER',
      scopeUnitId: '00000000-0000-4000-8000-000000000001',
      scopeUnitCode: 'nanxun',
    });
    expect(await verifier.verify(await sign({ role: 'ADMIN', unit: '*' }))).toMatchObject({ role: 'ADMIN', scopeUnitId: null });
  });

  it('rejects unknown roles and units, missing claims, other keys, expired and malformed tokens', async () => {
    expect(await verifier.verify(await sign({ role: 'ROOT', unit: 'nanxun' }))).toBeNull();
    expect(await verifier.verify(await sign({ role: 'VIEWER', unit: 'atlantis' }))).toBeNull();
    expect(await verifier.verify(await sign({ role: 'VIEWER' }))).toBeNull();
    expect(await verifier.verify(await sign({ role: 'VIEWER', unit: 'nanxun' }, new TextEncoder().encode('another-secret-of-at-least-32-chars!!')))).toBeNull();
    const expired = await new SignJWT({ role: 'VIEWER', unit: 'nanxun' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(secret));
    expect(await verifier.verify(expired)).toBeNull();
    expect(await verifier.verify('not.a.jwt')).toBeNull();
    expect(await verifier.verify('gnt_opaque')).toBeNull();
  });

  it('checks issuer and audience when configured', async () => {
    const strict = new JwtVerifier({ secret, issuer: 'https://idp.example', audience: 'genuine' }, units);
    const good = await new SignJWT({ role: 'AUDITOR', unit: 'nanxun' }).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').setIssuer('https://idp.example').setAudience('genuine').setExpirationTime('5m').sign(new TextEncoder().encode(secret));
    expect(await strict.verify(good)).toMatchObject({ id: 'jwt:bob', role: 'AUDITOR' });
    expect(await strict.verify(await sign({ role: 'AUDITOR', unit: 'nanxun' }))).toBeNull();
  });

  it('verifies RS256 tokens against a JWKS served over HTTP', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const jwks = new JwtVerifier({ jwksUrl: url }, units);
      expect(await jwks.verify(await sign({ role: 'FINANCE', unit: 'nanxun' }, privateKey, 'RS256'))).toMatchObject({ role: 'FINANCE', scopeUnitCode: 'nanxun' });
      expect(await jwks.verify(await sign({ role: 'FINANCE', unit: 'nanxun' }))).toBeNull();
    } finally {
      server.close();
    }
  });
});
