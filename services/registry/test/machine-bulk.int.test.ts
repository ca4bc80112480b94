import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, countStatements, MachineKind, Role, systemActor } from '@genuine/kit';
import { actorFor, uniqueCode } from '@genuine/kit/src/testing';
import { createTree, openRegistryOrm, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openRegistryOrm(8);
});
afterAll(() => orm.close());

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (err: unknown) => (err instanceof AppError ? err.code : `unexpected: ${String(err)}`));

describe('bulk machine registration', () => {
  it('registers a batch in input order with a constant number of statements, idempotently, agents included', async () => {
    const { east, west } = await createTree(orm);
    const agent = actorFor(Role.AGENT);
    const batch = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ orgUnitCode: i % 2 ? east.code : west.code, hostname: `${prefix}-${i}`, uuid: `${prefix}-uuid-${i}`, kind: MachineKind.DESKTOP, operator: `operator ${i % 3}` }));
    const small = await countStatements(() => registryContext(orm, agent).services.machines.registerMany(agent, batch(10, uniqueCode('s'))));
    const big = await countStatements(() => registryContext(orm, agent).services.machines.registerMany(agent, batch(100, uniqueCode('b'))));
    expect(big.statements.length).toBe(small.statements.length);
    expect(big.result.map((m) => m.hostname)).toEqual(big.result.map((_, i) => `${big.result[0].hostname?.replace(/-0$/, '')}-${i}`));
    expect(big.result.every((m) => m.operatorPersonId !== null)).toBe(true);
    // Again, with an extra serial: the same machines, the serial filled in; duplicates inside a batch collapse.
    const again = await registryContext(orm, agent).services.machines.registerMany(agent, [
      { orgUnitCode: west.code, uuid: big.result[0].uuid, serialNumber: uniqueCode('sn'), kind: MachineKind.DESKTOP },
      { orgUnitCode: west.code, uuid: big.result[0].uuid, kind: MachineKind.DESKTOP },
      { orgUnitCode: east.code, hostname: 'brand-new', kind: MachineKind.LAPTOP },
      { orgUnitCode: east.code, hostname: 'brand-new', kind: MachineKind.LAPTOP },
    ]);
    expect(again[0].id).toBe(big.result[0].id);
    expect(again[0].serialNumber).not.toBeNull();
    expect(again[1].id).toBe(big.result[0].id);
    expect(again[2].id).toBe(again[3].id);
    expect(await codeOf(registryContext(orm, agent).services.machines.registerMany(agent, [{ orgUnitCode: 'no-such-unit', hostname: 'x', kind: MachineKind.DESKTOP }]))).toBe('NOT_FOUND');
    expect(await codeOf(registryContext(orm, agent).services.machines.registerMany(agent, batch(501, 'too-many')))).toBe('BAD_USER_INPUT');
  });

  it('imports the self-check spreadsheet: every bad line reported, nothing imported unless asked', async () => {
    const { east, west } = await createTree(orm);
    const sn = uniqueCode('SN');
    const csv = [
      '单位代码,资产编号,计算机名,序列号,类型,使用人',
      `${east.code},ZC-001,pc-001,${sn}-1,台式机,李四`,
      `${east.code},ZC-002,pc-002,${sn}-2,LAPTOP,王五`,
      `no-such-unit,ZC-003,pc-003,${sn}-3,DESKTOP,赵六`,
      `${east.code},ZC-004,,,DESKTOP,`,
      `${west.code},ZC-005,pc-005,${sn}-5,tablet,`,
      `${east.code},ZC-006,pc-006,${sn}-1,DESKTOP,`,
      '',
      `${west.code},ZC-007,pc-007,${sn}-7,服务器,`,
    ].join('\n');
    const manager = actorFor(Role.ASSET_MANAGER);
    const strict = await registryContext(orm, manager).services.machines.importCsv(manager, csv, false);
    expect(strict.errors).toEqual([
      { line: 4, reason: 'unknown org unit "no-such-unit"' },
      { line: 5, reason: 'neither hostname nor serial' },
      { line: 6, reason: 'unknown kind "tablet" (expected DESKTOP, LAPTOP, SERVER or VIRTUAL)' },
      { line: 7, reason: 'same serial as line 2' },
    ]);
    expect(strict.machines).toEqual([]);
    const em = orm.em.fork();
    const count = async () => (await em.execute(`select count(*)::int as n from registry.machine where serial_number like ?`, [`${sn}%`]))[0].n;
    expect(await count()).toBe(0);
    const lenient = await registryContext(orm, manager).services.machines.importCsv(manager, csv, true);
    expect(lenient.errors).toHaveLength(4);
    expect(lenient.machines.map((m) => [m.hostname, m.kind, m.assetTag, m.operator])).toEqual([
      ['pc-001', 'DESKTOP', 'ZC-001', '李四'],
      ['pc-002', 'LAPTOP', 'ZC-002', '王五'],
      ['pc-007', 'SERVER', 'ZC-007', null],
    ]);
    expect(await count()).toBe(3);
    const people = await em.execute(`select name from registry_public.person where org_unit_id = ? order by name`, [east.id]);
    expect(people.map((p) => p.name)).toEqual(['李四', '王五']);
    // A scoped manager's file naming a unit outside their scope gets the same answer as an unknown unit.
    const scoped = actorFor(Role.ASSET_MANAGER, east);
    const out = await registryContext(orm, scoped).services.machines.importCsv(scoped, `unit,hostname,kind\n${west.code},x,DESKTOP\n`, false);
    expect(out.errors).toEqual([{ line: 2, reason: `unknown org unit "${west.code}"` }]);
  });

  it('moves a machine between units and retires it, freeing its seats', async () => {
    const { east, west } = await createTree(orm);
    const ctx = registryContext(orm, systemActor);
    const machine = await ctx.services.machines.register(systemActor, { orgUnitCode: east.code, hostname: 'mover', kind: MachineKind.DESKTOP, operator: '钱七' });
    const moved = await registryContext(orm, systemActor).services.machines.move(systemActor, machine.id, west.code);
    expect(moved.orgUnitId).toBe(west.id);
    expect(moved.operatorPersonId).not.toBe(machine.operatorPersonId);
    const retired = await registryContext(orm, systemActor).services.machines.retire(systemActor, machine.id);
    expect(retired.status).toBe('RETIRED');
    expect(await codeOf(registryContext(orm, systemActor).services.machines.retire(systemActor, machine.id))).toBe('CONFLICT');
    const changes = await orm.em.fork().execute(`select action from registry_public.change_log where entity_id = ? order by id`, [machine.id]);
    expect(changes.map((c) => c.action)).toEqual(['register', 'move', 'retire']);
    const eastManager = actorFor(Role.ASSET_MANAGER, east);
    expect(await codeOf(registryContext(orm, eastManager).services.machines.move(eastManager, machine.id, east.code))).toBe('NOT_FOUND');
  });
});
