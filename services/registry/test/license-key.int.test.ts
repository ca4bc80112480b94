import { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, createLogger, Role, systemActor } from '@genuine/kit';
import { actorFor } from '@genuine/kit/src/testing';
import { maskKey } from '@genuine/registry/src/license-key/license-key.service';
import { buySeats, createEdition, createTree, openRegistryOrm, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openRegistryOrm();
});
afterAll(() => orm.close());

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (err: unknown) => (err instanceof AppError ? err.code : `unexpected: ${String(err)}`));

describe('license keys', () => {
  it('masks all but the last four letters or digits', () => {
    expect(maskKey('W269N-WFGWX-YVC9B-4J6C9-T83GX')).toBe('*****-*****-*****-*****-T83GX'.replace('T83GX', '*83GX'));
    expect(maskKey('abc')).toBe('abc');
  });

  it('stores keys sealed, shows them whole only to key readers in scope, and never writes them to logs or history', async () => {
    const { east, west } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const entitlement = await buySeats(orm, east.code, edition.id, 2);
    const secret = `VK7JG-NPHTM-C97JM-9MPGT-${Date.now().toString(36).toUpperCase().slice(-5)}`;
    const lines: string[] = [];
    const log = createLogger({ level: 'trace', name: 'test', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    const manager = actorFor(Role.ASSET_MANAGER, east);
    const [added] = await registryContext(orm, manager, 'req-keys', log).services.licenseKeys.add(manager, entitlement.id, [secret]);
    expect(added.masked).toBe(maskKey(secret));
    expect(added.masked).not.toContain(secret.slice(0, 5));

    const reveal = (role: Role, scope: { id: string; code: string } | null) => {
      const actor = actorFor(role, scope);
      return registryContext(orm, actor, 'req-reveal', log).services.licenseKeys.reveal(actor, added);
    };
    expect(await reveal(Role.ASSET_MANAGER, east)).toBe(secret);
    expect(await reveal(Role.ADMIN, null)).toBe(secret);
    expect(await reveal(Role.VIEWER, east)).toBeNull();
    expect(await reveal(Role.FINANCE, east)).toBeNull();
    expect(await reveal(Role.ASSET_MANAGER, west)).toBeNull();

    // A duplicate is refused without leaking the key in the error.
    const duplicate = registryContext(orm, manager, 'req-dup', log).services.licenseKeys.add(manager, entitlement.id, [secret]);
    await expect(duplicate).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    await duplicate.catch((err: Error) => expect(err.message).not.toContain(secret));

    const em = orm.em.fork();
    const [stored] = await em.execute(`select encode(sealed, 'escape') as sealed, masked from registry.license_key where id = ?`, [added.id]);
    expect(stored.sealed).not.toContain(secret);
    const events = await em.execute(`select before::text, after::text from registry.audit_event where request_id in ('req-keys', 'req-dup', 'req-reveal')`);
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(lines.join('')).not.toContain(secret);
    expect(await codeOf(registryContext(orm, actorFor(Role.VIEWER)).services.licenseKeys.add(actorFor(Role.VIEWER), entitlement.id, ['x']))).toBe('FORBIDDEN');
    void systemActor;
  });
});
