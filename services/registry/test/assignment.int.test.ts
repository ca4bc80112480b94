import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, LicenseMetric, MachineKind, Role, systemActor } from '@genuine/kit';
import { actorFor, uniqueCode } from '@genuine/kit/src/testing';
import { buySeats, createEdition, createTree, openRegistryOrm, registerDesktops, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openRegistryOrm(12);
});
afterAll(() => orm.close());

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (err: unknown) => (err instanceof AppError ? err.code : `unexpected: ${String(err)}`));
const assign = (entitlementId: string, machineId: string) => registryContext(orm, systemActor).services.assignments.assign(systemActor, { entitlementId, machineId });

describe('seat assignments', () => {
  it('gives exactly 5 of 50 simultaneous requests on a 5-seat entitlement; a revoke frees exactly one seat', async () => {
    const { east } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const entitlement = await buySeats(orm, east.code, edition.id, 5);
    const machines = await registerDesktops(orm, east.code, 51);
    const results = await Promise.all(machines.slice(0, 50).map((m) => codeOf(assign(entitlement.id, m.id))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(5);
    expect(results.filter((r) => r === 'SEAT_LIMIT_EXCEEDED')).toHaveLength(45);
    const em = orm.em.fork();
    const active = await em.execute<Array<{ id: string; machine_id: string }>>(
      `select id, machine_id from registry.assignment where entitlement_id = ? and revoked_at is null`,
      [entitlement.id],
    );
    expect(active).toHaveLength(5);

    await registryContext(orm, systemActor).services.assignments.revoke(systemActor, active[0].id);
    const holders = new Set(active.map((a) => a.machine_id));
    const others = machines.filter((m) => !holders.has(m.id)).slice(0, 10);
    const again = await Promise.all(others.map((m) => codeOf(assign(entitlement.id, m.id))));
    expect(again.filter((r) => r === 'OK')).toHaveLength(1);
    expect(again.filter((r) => r === 'SEAT_LIMIT_EXCEEDED')).toHaveLength(9);
    const [{ n }] = await em.execute(`select count(*)::int as n from registry_public.assignment where entitlement_id = ? and active`, [entitlement.id]);
    expect(n).toBe(5);
    // The revoked row stays, for history.
    const [{ revoked }] = await em.execute(`select count(*)::int as revoked from registry_public.assignment where entitlement_id = ? and not active`, [entitlement.id]);
    expect(revoked).toBe(1);
  });

  it('refuses expired and retired entitlements, a second seat for the same machine, and holders outside the owner', async () => {
    const { east, west } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const [machine] = await registerDesktops(orm, east.code, 1);
    const [westMachine] = await registerDesktops(orm, west.code, 1);
    const expired = await buySeats(orm, east.code, edition.id, 3, { validFrom: '2020-01-01', validUntil: '2021-12-31' });
    expect(await codeOf(assign(expired.id, machine.id))).toBe('CONFLICT');
    const live = await buySeats(orm, east.code, edition.id, 3);
    expect(await codeOf(assign(live.id, machine.id))).toBe('OK');
    expect(await codeOf(assign(live.id, machine.id))).toBe('CONFLICT');
    expect(await codeOf(assign(live.id, westMachine.id))).toBe('BAD_USER_INPUT');
    await registryContext(orm, systemActor).services.entitlements.retire(systemActor, live.id);
    const [other] = await registerDesktops(orm, east.code, 1, 'other');
    expect(await codeOf(assign(live.id, other.id))).toBe('CONFLICT');
    // Retiring revoked the seat it had.
    const [{ n }] = await orm.em.fork().execute(`select count(*)::int as n from registry.assignment where entitlement_id = ? and revoked_at is null`, [live.id]);
    expect(n).toBe(0);
  });

  it('assigns per-user seats to people, not machines, and checks roles and scope', async () => {
    const { east, west } = await createTree(orm);
    const { edition } = await createEdition(orm, { metric: LicenseMetric.PER_USER });
    const entitlement = await buySeats(orm, east.code, edition.id, 2);
    expect(entitlement.metric).toBe('PER_USER');
    const ctx = registryContext(orm, systemActor);
    const person = await ctx.services.people.create(systemActor, { orgUnitCode: east.code, name: '张三' });
    const [machine] = await registerDesktops(orm, east.code, 1);
    expect(await codeOf(assign(entitlement.id, machine.id))).toBe('BAD_USER_INPUT');
    const seat = await ctx.services.assignments.assign(systemActor, { entitlementId: entitlement.id, personId: person.id });
    expect(seat.personId).toBe(person.id);
    const viewer = actorFor(Role.VIEWER, east);
    expect(await codeOf(registryContext(orm, viewer).services.assignments.assign(viewer, { entitlementId: entitlement.id, personId: person.id }))).toBe('FORBIDDEN');
    const westManager = actorFor(Role.ASSET_MANAGER, west);
    expect(await codeOf(registryContext(orm, westManager).services.assignments.revoke(westManager, seat.id))).toBe('NOT_FOUND');
    const eastManager = actorFor(Role.ASSET_MANAGER, east);
    const revoked = await registryContext(orm, eastManager).services.assignments.revoke(eastManager, seat.id);
    expect(revoked.revokedBy).toBe(eastManager.id);
    expect(await codeOf(registryContext(orm, eastManager).services.assignments.revoke(eastManager, seat.id))).toBe('CONFLICT');
  });

  it('equips every machine of a subtree lacking a seat of the product, as far as seats go', async () => {
    const { root, east, eastOffice } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const machines = [...(await registerDesktops(orm, east.code, 3, 'e')), ...(await registerDesktops(orm, eastOffice.code, 3, 'o'))];
    const already = await buySeats(orm, east.code, edition.id, 1);
    await assign(already.id, machines[0].id);
    const pool = await buySeats(orm, root.code, edition.id, 4);
    const ctx = registryContext(orm, systemActor);
    const result = await ctx.services.assignments.assignToSubtree(systemActor, { entitlementId: pool.id, orgUnitCode: east.code });
    expect(result.assigned).toHaveLength(4);
    expect(result.stillLacking).toBe(1);
    expect(result.assigned.map((a) => a.machineId)).not.toContain(machines[0].id);
    const more = await registryContext(orm, systemActor).services.assignments.assignToSubtree(systemActor, { entitlementId: pool.id, orgUnitCode: east.code });
    expect(more).toEqual({ assigned: [], stillLacking: 1 });
    const changes = await orm.em.fork().execute(`select action from registry_public.change_log where entity_id = ?`, [pool.id]);
    expect(changes.map((c) => c.action)).toEqual(['create', 'bulk_assign']);
  });

  it('writes the audit event and the change-log row of an assignment in its transaction', async () => {
    const { east } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const entitlement = await buySeats(orm, east.code, edition.id, 1);
    const machine = await registryContext(orm, systemActor).services.machines.register(systemActor, { orgUnitCode: east.code, hostname: uniqueCode('h'), kind: MachineKind.LAPTOP });
    const seat = await registryContext(orm, systemActor, 'req-assign-1').services.assignments.assign(systemActor, { entitlementId: entitlement.id, machineId: machine.id });
    const em = orm.em.fork();
    expect(await em.execute(`select action, request_id from registry.audit_event where entity_id = ?`, [seat.id])).toEqual([{ action: 'assignment.create', request_id: 'req-assign-1' }]);
    expect(await em.execute(`select entity, action from registry_public.change_log where entity_id = ?`, [seat.id])).toEqual([{ entity: 'assignment', action: 'create' }]);
  });
});
