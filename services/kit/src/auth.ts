import { createHash, timingSafeEqual } from 'node:crypto';

/** Roles of DESIGN → API conventions; what each may do is decided by the services' policies. */
export const Role = {
  ADMIN: 'ADMIN',
  ASSET_MANAGER: 'ASSET_MANAGER',
  FINANCE: 'FINANCE',
  AUDITOR: 'AUDITOR',
  VIEWER: 'VIEWER',
  AGENT: 'AGENT',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const roles = Object.values(Role);

/**
 * Who is calling. `scopeUnitId` null means the whole organisation; otherwise the caller sees and changes only
 * the org-unit subtree rooted there.
 */
export interface Actor {
  readonly id: string;
  readonly role: Role;
  readonly scopeUnitId: string | null;
  readonly scopeUnitCode: string | null;
}

/** The actor used by start-up jobs (migrations, demo loading, background consumers). */
export const systemActor: Actor = Object.freeze({ id: 'system', role: Role.ADMIN, scopeUnitId: null, scopeUnitCode: null });

/** Turns a presented secret into an actor, or null when it does not recognise it. */
export interface TokenVerifier {
  verify(token: string): Promise<Actor | null>;
}

/** `GENUINE_ADMIN_TOKEN`: that exact bearer token is an ADMIN scoped to everything. */
export class AdminTokenVerifier implements TokenVerifier {
  private readonly digest: Buffer;
  constructor(adminToken: string) {
    this.digest = sha256(adminToken);
  }
  async verify(token: string): Promise<Actor | null> {
    // Compare digests so the comparison takes the same time whatever the presented length.
    return timingSafeEqual(sha256(token), this.digest)
      ? { id: 'admin-token', role: Role.ADMIN, scopeUnitId: null, scopeUnitCode: null }
      : null;
  }
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Tries each verifier in order; the first that recognises the token wins. */
export class Authenticator {
  constructor(private readonly verifiers: readonly TokenVerifier[]) {}

  async fromBearer(header: string | undefined): Promise<Actor | null> {
    const token = parseBearer(header);
    return token ? this.verifyToken(token) : null;
  }

  async verifyToken(token: string): Promise<Actor | null> {
    for (const verifier of this.verifiers) {
      const actor = await verifier.verify(token);
      if (actor) return actor;
    }
    return null;
  }
}

export function parseBearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S{1,4096})\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** HTTP Basic as the inventory agents send it: the user name is ignored, the password is the token. */
export function parseBasicPassword(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,8192})\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const password = decoded.slice(colon + 1);
  return password.length > 0 ? password : null;
}
