import { randomBytes } from 'node:crypto';
import { Role, type Actor } from './auth';

/** Test helpers shared by both services' tests. Nothing here is used at run time. */

/** A code no other test uses, so tests sharing a worker's database never collide. */
export function uniqueCode(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function actorFor(role: Role, scope: { id: string; code: string } | null = null): Actor {
  return { id: `test-${role.toLowerCase()}`, role, scopeUnitId: scope?.id ?? null, scopeUnitCode: scope?.code ?? null };
}

export const testAdmin: Actor = actorFor(Role.ADMIN);
