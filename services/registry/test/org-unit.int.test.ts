import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, Role, systemActor } from '@genuine/kit';
import { actorFor, uniqueCode } from '@genuine/kit/src/testing';
import { OrgUnitKind } from '@genuine/registry/src/org-unit/org-unit.entity';
import { createTree, openRegistryOrm, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openRegistryOrm();
});
afterAll(() => orm.close());

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return err instanceof AppError ? err.code : `unexpected: ${String(err)}`;
  }
};

describe('org units', () => {
  it('creates a tree whose subtree reads come from the closure in one query', async () => {
    const { root, east, west, eastOffice } = await createTree(orm);
    const ctx = registryContext(orm, systemActor);
    const page = await ctx.services.orgUnits.descendantsOf(systemActor, root, 10, null);
    expect(page.items.map((u) => [u.code, u.depth])).toEqual(
      [
        [east.code, 1],
        [west.code, 1],
        [eastOffice.code, 2],
      ].sort((a, b) => Number(a[1]) - Number(b[1]) || String(a[0]).localeCompare(String(b[0]))),
    );
    expect(await page.totalCount()).toBe(3);
    expect((await ctx.services.orgUnits.childrenOf(systemActor, root)).map((u) => u.code)).toEqual([east.code, west.code].sort());
    expect((await ctx.services.orgUnits.parentOf(systemActor, eastOffice))?.code).toBe(east.code);
  });

  it('pages descendants with a cursor and no overlap', async () => {
    const { root } = await createTree(orm);
    const ctx = registryContext(orm, systemActor);
    const first = await ctx.services.orgUnits.descendantsOf(systemActor, root, 2, null);
    const last = first.items[first.items.length - 1];
    const second = await ctx.services.orgUnits.descendantsOf(systemActor, root, 2, { depth: last.depth, code: last.code });
    expect(first.hasNextPage).toBe(true);
    expect(second.hasNextPage).toBe(false);
    expect([...first.items, ...second.items].map((u) => u.code)).toHaveLength(3);
    expect(new Set([...first.items, ...second.items].map((u) => u.code)).size).toBe(3);
  });

  it('rejects a duplicate code with CONFLICT and writes nothing', async () => {
    const { root } = await createTree(orm);
    const ctx = registryContext(orm, systemActor);
    const before = await orm.em.fork().execute(`select count(*)::int as n from registry.audit_event where entity_id = ?`, [root.id]);
    expect(await codeOf(ctx.services.orgUnits.create(systemActor, { code: root.code, name: 'again', kind: OrgUnitKind.OTHER }))).toBe('CONFLICT');
    const after = await orm.em.fork().execute(`select count(*)::int as n from registry.audit_event where entity_id = ?`, [root.id]);
    expect(after).toEqual(before);
  });

  it('records an audit event and a change-log row in the same transaction', async () => {
    const code = uniqueCode('audited');
    const ctx = registryContext(orm, systemActor, 'req-audited-1');
    const unit = await ctx.services.orgUnits.create(systemActor, { code, name: '审计单位', kind: OrgUnitKind.DEPARTMENT });
    const em = orm.em.fork();
    const events = await em.execute(`select actor_id, action, entity, request_id, after->>'code' as code from registry.audit_event where entity_id = ?`, [unit.id]);
    expect(events).toEqual([{ actor_id: 'system', action: 'org_unit.create', entity: 'org_unit', request_id: 'req-audited-1', code }]);
    const changes = await em.execute(`select entity, action, org_unit_ids from registry_public.change_log where entity_id = ?`, [unit.id]);
    expect(changes).toEqual([{ entity: 'org_unit', action: 'create', org_unit_ids: [unit.id] }]);
  });

  it('answers NOT_FOUND for a unit outside the caller scope, as for a missing one', async () => {
    const { east, west, eastOffice } = await createTree(orm);
    const viewer = actorFor(Role.VIEWER, east);
    const ctx = registryContext(orm, viewer);
    expect((await ctx.services.orgUnits.getByCode(viewer, eastOffice.code)).id).toBe(eastOffice.id);
    expect(await codeOf(ctx.services.orgUnits.getByCode(viewer, west.code))).toBe('NOT_FOUND');
    expect(await codeOf(ctx.services.orgUnits.getByCode(viewer, 'no-such-unit'))).toBe('NOT_FOUND');
    // The parent above the scope is hidden too.
    expect(await ctx.services.orgUnits.parentOf(viewer, east)).toBeNull();
  });

  it('lets only administrators create units, and scoped ones only inside their subtree', async () => {
    const { east, west } = await createTree(orm);
    const manager = actorFor(Role.ASSET_MANAGER);
    expect(await codeOf(registryContext(orm, manager).services.orgUnits.create(manager, { code: uniqueCode('x'), name: 'x', kind: OrgUnitKind.OTHER }))).toBe('FORBIDDEN');
    const scopedAdmin = actorFor(Role.ADMIN, east);
    const ctx = registryContext(orm, scopedAdmin);
    expect(await codeOf(ctx.services.orgUnits.create(scopedAdmin, { code: uniqueCode('in'), name: 'in', kind: OrgUnitKind.OTHER, parentCode: east.code }))).toBe('OK');
    expect(await codeOf(ctx.services.orgUnits.create(scopedAdmin, { code: uniqueCode('out'), name: 'out', kind: OrgUnitKind.OTHER, parentCode: west.code }))).toBe('NOT_FOUND');
    expect(await codeOf(ctx.services.orgUnits.create(scopedAdmin, { code: uniqueCode('root'), name: 'root', kind: OrgUnitKind.OTHER }))).toBe('FORBIDDEN');
  });
});
