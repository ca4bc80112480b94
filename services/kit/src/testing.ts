import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Role, type Actor } from './auth';

/** Test helpers shared by both services' tests. Nothing here is used at run time. */

/** A code no other test uses, so tests sharing a worker's database never collide. */
export function uniqueCode(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A TCP port free on 127.0.0.1 right now, for a process that must listen on a port known beforehand. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function actorFor(role: Role, scope: { id: string; code: string } | null = null): Actor {
  return { id: `test-${role.toLowerCase()}`, role, scopeUnitId: scope?.id ?? null, scopeUnitCode: scope?.code ?? null };
}

export const testAdmin: Actor = actorFor(Role.ADMIN);
