import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { Pool as PgPool, type Pool } from 'pg';
import { AdminTokenVerifier, Authenticator, roles, type Actor, type Role, type TokenVerifier } from './auth';

/** Opaque API tokens: a recognisable prefix and 32 random bytes. Only their SHA-256 digest is ever stored. */
export const API_TOKEN_PREFIX = 'gnt_';

export function newApiToken(): { token: string; hash: string } {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashApiToken(token) };
}

/** SHA-256 is enough here: the tokens are 256 random bits, so there is nothing to brute-force from the digest. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface UnitRef {
  id: string;
  code: string;
}

/** Finds org units by code through the registry's published view, with a short cache. */
export class UnitDirectory {
  private readonly cache = new Map<string, { unit: UnitRef | null; until: number }>();
  constructor(
    private readonly pool: Pool,
    private readonly ttlMs = 60_000,
  ) {}

  async byCode(code: string): Promise<UnitRef | null> {
    const hit = this.cache.get(code);
    if (hit && hit.until > Date.now()) return hit.unit;
    const { rows } = await this.pool.query<UnitRef>('select id, code from registry_public.org_unit where code = $1', [code]);
    const unit = rows[0] ?? null;
    this.cache.set(code, { unit, until: Date.now() + this.ttlMs });
    return unit;
  }
}

/**
 * JWTs from an identity provider: HS256 with a shared secret, or any algorithm its JWKS publishes. The token
 * carries `role` (one of the roles) and `unit` (the org-unit code of its scope, `*` for the whole organisation);
 * `sub` names the caller. Anything else, or a unit that does not exist, is not a valid token.
 */
export class JwtVerifier implements TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;

  constructor(
    options: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string },
    private readonly units: Pick<UnitDirectory, 'byCode'>,
    private readonly claims: { issuer?: string; audience?: string } = { issuer: options.issuer, audience: options.audience },
  ) {
    if (options.jwksUrl) this.key = createRemoteJWKSet(new URL(options.jwksUrl));
    else if (options.secret) this.key = new TextEncoder().encode(options.secret);
    else throw new Error('JwtVerifier needs a secret or a JWKS URL');
  }

  async verify(token: string): Promise<Actor | null> {
    if (token.split('.').length !== 3) return null;
    try {
      const verifyOptions = { issuer: this.claims.issuer, audience: this.claims.audience, ...(this.key instanceof Uint8Array ? { algorithms: ['HS256'] } : {}) };
      const { payload } = this.key instanceof Uint8Array ? await jwtVerify(token, this.key, verifyOptions) : await jwtVerify(token, this.key, verifyOptions);
      const role = payload.role;
      const unit = payload.unit;
      if (typeof role !== 'string' || !roles.includes(role as Role) || typeof unit !== 'string' || typeof payload.sub !== 'string') return null;
      if (unit === '*') return { id: `jwt:${payload.sub}`, role: role as Role, scopeUnitId: null, scopeUnitCode: null };
      const scope = await this.units.byCode(unit);
      return scope ? { id: `jwt:${payload.sub}`, role: role as Role, scopeUnitId: scope.id, scopeUnitCode: scope.code } : null;
    } catch {
      return null;
    }
  }
}

interface ApiTokenRow {
  id: string;
  role: Role;
  scope_unit_id: string | null;
  scope_unit_code: string | null;
}

/**
 * Opaque API tokens, looked up by digest in `registry_public.api_token` (revoked and expired ones are not
 * there). Answers are cached briefly so a dashboard's requests do not each cost a query; a revocation takes
 * effect within `ttlMs`. Use is recorded through the registry's `touch_api_token` at most once a minute.
 */
export class ApiTokenVerifier implements TokenVerifier {
  private readonly cache = new Map<string, { actor: Actor | null; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly pool: Pool,
    private readonly ttlMs = 5_000,
  ) {}

  async verify(token: string): Promise<Actor | null> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
    const hash = hashApiToken(token);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.actor;
    const { rows } = await this.pool.query<ApiTokenRow>(
      'select id, role, scope_unit_id, scope_unit_code from registry_public.api_token where token_hash = $1',
      [hash],
    );
    const row = rows[0];
    const actor: Actor | null = row ? { id: `token:${row.id}`, role: row.role, scopeUnitId: row.scope_unit_id, scopeUnitCode: row.scope_unit_code } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { actor, until: now + this.ttlMs });
    if (actor && (this.touched.get(hash) ?? 0) < now - 60_000) {
      this.touched.set(hash, now);
      this.pool.query('select registry_public.touch_api_token($1)', [hash]).catch(() => undefined);
    }
    return actor;
  }
}

/**
 * Every way to present a token, in the order they are tried: the configured admin token, API tokens, then JWTs
 * when a secret or JWKS is configured. The pool is small: lookups are cached and each is one indexed read.
 */
export function createAuthenticator(options: {
  databaseUrl: string;
  adminToken?: string;
  jwt: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
}): { authenticator: Authenticator; close: () => Promise<void> } {
  const pool = new PgPool({ connectionString: options.databaseUrl, max: 2, idleTimeoutMillis: 10_000 });
  const verifiers: TokenVerifier[] = [];
  if (options.adminToken) verifiers.push(new AdminTokenVerifier(options.adminToken));
  verifiers.push(new ApiTokenVerifier(pool));
  if (options.jwt.secret || options.jwt.jwksUrl) verifiers.push(new JwtVerifier(options.jwt, new UnitDirectory(pool)));
  return { authenticator: new Authenticator(verifiers), close: () => pool.end() };
}
