import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, MachineKind, Role, systemActor } from '@genuine/kit';
import { actorFor, uniqueCode } from '@genuine/kit/src/testing';
import { createTree, openRegistryOrm, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openRegistryOrm(12);
});
afterAll(() => orm.close());

const errorCode = async (promise: Promise<unknown>) => promise.then(() => 'OK', (err: unknown) => (err instanceof AppError ? err.code : String(err)));

describe('machines', () => {
  it('registers once and returns the same machine for uuid, then serial, then hostname within the unit', async () => {
    const { east, west } = await createTree(orm);
    const svc = () => registryContext(orm, systemActor).services.machines;
    const uuid = uniqueCode('uuid');
    const serial = uniqueCode('sn');
    const first = await svc().register(systemActor, { orgUnitCode: east.code, hostname: 'pc-01', kind: MachineKind.DESKTOP });
    // Same hostname in the same unit: the same machine, and the new identifiers are filled in.
    const again = await svc().register(systemActor, { orgUnitCode: east.code, hostname: 'pc-01', uuid, kind: MachineKind.DESKTOP });
    expect(again.id).toBe(first.id);
    expect(again.uuid).toBe(uuid);
    // Same uuid, different hostname: uuid wins.
    expect((await svc().register(systemActor, { orgUnitCode: east.code, hostname: 'renamed', uuid, kind: MachineKind.DESKTOP })).id).toBe(first.id);
    // Same hostname in another unit: a different machine.
    const other = await svc().register(systemActor, { orgUnitCode: west.code, hostname: 'pc-01', serialNumber: serial, kind: MachineKind.LAPTOP });
    expect(other.id).not.toBe(first.id);
    expect((await svc().register(systemActor, { orgUnitCode: west.code, serialNumber: serial, kind: MachineKind.LAPTOP })).id).toBe(other.id);
    const events = await orm.em.fork().execute(`select action from registry.audit_event where entity_id = ? order by id`, [first.id]);
    expect(events.map((e) => e.action)).toEqual(['machine.register', 'machine.update']);
  });

  it('keeps one machine when 20 registrations of it race', async () => {
    const { east } = await createTree(orm);
    const uuid = uniqueCode('race');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => registryContext(orm, systemActor).services.machines.register(systemActor, { orgUnitCode: east.code, uuid, kind: MachineKind.DESKTOP })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const [{ n }] = await orm.em.fork().execute(`select count(*)::int as n from registry.machine where uuid = ?`, [uuid]);
    expect(n).toBe(1);
  });

  it('needs an identifier and a unit inside the scope', async () => {
    const { east, west } = await createTree(orm);
    const manager = actorFor(Role.ASSET_MANAGER, east);
    const svc = registryContext(orm, manager).services.machines;
    expect(await errorCode(svc.register(manager, { orgUnitCode: east.code, kind: MachineKind.DESKTOP }))).toBe('BAD_USER_INPUT');
    expect(await errorCode(svc.register(manager, { orgUnitCode: west.code, hostname: 'x', kind: MachineKind.DESKTOP }))).toBe('NOT_FOUND');
    const viewer = actorFor(Role.VIEWER, east);
    expect(await errorCode(registryContext(orm, viewer).services.machines.register(viewer, { orgUnitCode: east.code, hostname: 'x', kind: MachineKind.DESKTOP }))).toBe('FORBIDDEN');
  });

  it('lists a subtree by hostname with search, cursor pages and a lazy total', async () => {
    const { root, east, west, eastOffice } = await createTree(orm);
    const svc = registryContext(orm, systemActor).services.machines;
    for (const [unit, host] of [
      [east, 'b-east'],
      [eastOffice, 'a-office'],
      [west, 'c-west'],
      [root, 'd-root'],
    ] as const) {
      await svc.register(systemActor, { orgUnitCode: unit.code, hostname: host, kind: MachineKind.DESKTOP });
    }
    const list = (filter: object, first: number, after: [string, string] | null = null) =>
      registryContext(orm, systemActor).services.machines.list(systemActor, filter, first, after);
    const all = await list({ orgUnitCode: root.code }, 3);
    expect(all.items.map((m) => m.hostname)).toEqual(['a-office', 'b-east', 'c-west']);
    expect(all.hasNextPage).toBe(true);
    expect(await (all.totalCount as () => Promise<number>)()).toBe(4);
    const last = all.items[2];
    const rest = await list({ orgUnitCode: root.code }, 3, [last.hostname ?? '', last.id]);
    expect(rest.items.map((m) => m.hostname)).toEqual(['d-root']);
    expect((await list({ orgUnitCode: east.code }, 10)).items.map((m) => m.hostname)).toEqual(['a-office', 'b-east']);
    expect((await list({ orgUnitCode: east.code, includeDescendants: false }, 10)).items.map((m) => m.hostname)).toEqual(['b-east']);
    expect((await list({ orgUnitCode: root.code, search: 'WEST' }, 10)).items.map((m) => m.hostname)).toEqual(['c-west']);
    // A viewer of the east township sees only its subtree, also without a unit filter.
    const viewer = actorFor(Role.VIEWER, east);
    const scoped = await registryContext(orm, viewer).services.machines.list(viewer, {}, 10, null);
    expect(scoped.items.map((m) => m.hostname)).toEqual(['a-office', 'b-east']);
  });
});
