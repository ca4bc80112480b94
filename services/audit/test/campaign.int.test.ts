import { createHash } from 'node:crypto';
import { MachineKind, Role, SoftwareCategory, systemActor, type Actor } from '@genuine/kit';
import { actorFor, testAdmin } from '@genuine/kit/src/testing';
import type { SubmitSelfReportCommand } from '@genuine/audit/src/campaign/campaign.service';
import { toSpotCheckDiscrepancies, toUnitDiscrepancyType } from '@genuine/audit/src/campaign/campaign.type';
import { auditContext } from '../../../test/support/audit';
import { ComplianceWorld } from '../../../test/support/compliance';
import { registryContext } from '../../../test/support/registry';

const OS = SoftwareCategory.OPERATING_SYSTEM;
const OFFICE = SoftwareCategory.OFFICE;
const AV = SoftwareCategory.ANTIVIRUS;

let world: ComplianceWorld;
beforeAll(async () => {
  world = await ComplianceWorld.open();
});
afterAll(() => world.close());

const service = (actor: Actor = testAdmin) => auditContext(world.audit, actor).services.campaign;

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  throw new Error('expected a failure');
}

async function laptop(unitCode: string, operator: string | null = null) {
  return registryContext(world.registry, systemActor).services.machines.register(systemActor, {
    orgUnitCode: unitCode,
    hostname: `nb-${Math.random().toString(16).slice(2, 10)}`,
    kind: MachineKind.LAPTOP,
    operator,
  });
}

/** A district with two departments and a campaign over it (deadlines far ahead unless told). */
async function district(deadlines: { selfCheck?: string } = {}) {
  const root = await world.unit(null, 'district');
  const a = await world.unit(root.code, 'dept-a');
  const b = await world.unit(root.code, 'dept-b');
  const campaign = await service().create(testAdmin, {
    name: '2026 legalization',
    rootUnitCode: root.code,
    selfCheckDeadline: deadlines.selfCheck ?? '2099-03-31',
    remediationDeadline: '2099-07-31',
    acceptanceDeadline: '2099-08-31',
  });
  return { root, a, b, campaign };
}

const form = (campaignId: string, orgUnitCode: string, figures: Partial<SubmitSelfReportCommand> = {}): SubmitSelfReportCommand => ({
  campaignId,
  orgUnitCode,
  computers: 4,
  desktops: 3,
  laptops: 1,
  operators: 3,
  licensed: [
    { category: OS, count: 3 },
    { category: OFFICE, count: 1 },
    { category: AV, count: 2 },
  ],
  ...figures,
});

describe('campaign phases', () => {
  it('starts in SELF_CHECK with the default tracked categories and moves only to the next phase', async () => {
    const { campaign } = await district();
    expect(campaign).toMatchObject({ phase: 'SELF_CHECK', trackedCategories: [OS, OFFICE, AV], reportingDepth: 1 });
    expect(await codeOf(service().advance(testAdmin, campaign.id, 'ACCEPTANCE'))).toBe('CONFLICT');
    expect((await service().advance(testAdmin, campaign.id, 'REMEDIATION')).phase).toBe('REMEDIATION');
    expect(await codeOf(service().advance(testAdmin, campaign.id, 'REMEDIATION'))).toBe('CONFLICT');
    expect((await service().advance(testAdmin, campaign.id, 'ACCEPTANCE')).phase).toBe('ACCEPTANCE');
    expect((await service().advance(testAdmin, campaign.id, 'CLOSED')).phase).toBe('CLOSED');
    expect(await codeOf(service().advance(testAdmin, campaign.id, 'CLOSED'))).toBe('CONFLICT');
    expect(await codeOf(service().advance(actorFor(Role.ASSET_MANAGER), campaign.id, 'CLOSED'))).toBe('FORBIDDEN');
  });

  it('refuses deadlines out of phase order and unknown units', async () => {
    const root = await world.unit(null, 'district');
    const base = { name: 'x', rootUnitCode: root.code, selfCheckDeadline: '2099-03-31', remediationDeadline: '2099-02-28', acceptanceDeadline: '2099-08-31' };
    expect(await codeOf(service().create(testAdmin, base))).toBe('BAD_USER_INPUT');
    expect(await codeOf(service().create(testAdmin, { ...base, remediationDeadline: '2099-04-30', rootUnitCode: 'no-such-unit' }))).toBe('NOT_FOUND');
    expect(await codeOf(service().create(actorFor(Role.VIEWER), { ...base, remediationDeadline: '2099-04-30' }))).toBe('FORBIDDEN');
  });
  it('pages campaigns newest first by keyset, with a filter by covered unit and phase', async () => {
    const root = await world.unit(null, 'paged');
    const child = await world.unit(root.code, 'paged-child');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await service().create(testAdmin, { name: `c${i}`, rootUnitCode: root.code, selfCheckDeadline: '2099-01-01', remediationDeadline: '2099-01-02', acceptanceDeadline: '2099-01-03' });
      ids.unshift(c.id);
    }
    await service().advance(testAdmin, ids[0], 'REMEDIATION');
    const first = await service().list(testAdmin, { orgUnitCode: child.code }, 2, null);
    expect(first.items.map((c) => c.id)).toEqual(ids.slice(0, 2));
    expect(first.hasNextPage).toBe(true);
    expect(await first.totalCount()).toBe(3);
    const last = first.items[1];
    const rest = await service().list(testAdmin, { orgUnitCode: child.code }, 2, [last.orderKey, last.id]);
    expect(rest.items.map((c) => c.id)).toEqual(ids.slice(2));
    expect(rest.hasNextPage).toBe(false);
    expect((await service().list(testAdmin, { orgUnitCode: child.code, phase: 'REMEDIATION' }, 20, null)).items.map((c) => c.id)).toEqual([ids[0]]);
  });
});

describe('self-reports', () => {
  it('validates the form with exact codes', async () => {
    const { root, a, campaign } = await district();
    const other = await world.unit(null, 'elsewhere');
    const submit = (f: Partial<SubmitSelfReportCommand>, actor: Actor = testAdmin) => service(actor).submitSelfReport(actor, form(campaign.id, f.orgUnitCode ?? a.code, f));
    expect(await codeOf(submit({ desktops: 4, laptops: 1 }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(submit({ licensed: [{ category: OS, count: 5 }, { category: OFFICE, count: 1 }, { category: AV, count: 1 }] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(submit({ licensed: [{ category: OS, count: 1 }, { category: OFFICE, count: 1 }] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(submit({ licensed: [{ category: OS, count: 1 }, { category: OFFICE, count: 1 }, { category: AV, count: 1 }, { category: SoftwareCategory.DESIGN, count: 1 }] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(submit({ licensed: [{ category: OS, count: 1 }, { category: OS, count: 1 }, { category: OFFICE, count: 1 }, { category: AV, count: 1 }] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(submit({ orgUnitCode: other.code }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(submit({ orgUnitCode: 'no-such-unit' }))).toBe('NOT_FOUND');
    expect(await codeOf(submit({}, actorFor(Role.VIEWER)))).toBe('FORBIDDEN');
    expect(await codeOf(submit({}, actorFor(Role.FINANCE)))).toBe('FORBIDDEN');
    // Nothing was half-written by the failures.
    expect((await service().selfReports(testAdmin, campaign, { includeHistory: true }, 20, null)).items).toEqual([]);
    // The root itself may report for its whole subtree.
    expect((await submit({ orgUnitCode: root.code })).revision).toBe(1);
  });

  it('accepts submissions only during SELF_CHECK unless the caller manages campaigns, and never once closed', async () => {
    const { a, campaign } = await district();
    const manager = actorFor(Role.ASSET_MANAGER);
    expect((await service(manager).submitSelfReport(manager, form(campaign.id, a.code))).revision).toBe(1);
    await service().advance(testAdmin, campaign.id, 'REMEDIATION');
    expect(await codeOf(service(manager).submitSelfReport(manager, form(campaign.id, a.code)))).toBe('CONFLICT');
    const auditor = actorFor(Role.AUDITOR);
    expect((await service(auditor).submitSelfReport(auditor, form(campaign.id, a.code, { computers: 5 }))).revision).toBe(2);
    await service().advance(testAdmin, campaign.id, 'ACCEPTANCE');
    await service().advance(testAdmin, campaign.id, 'CLOSED');
    expect(await codeOf(service(auditor).submitSelfReport(auditor, form(campaign.id, a.code)))).toBe('CONFLICT');
  });

  it('keeps every revision, the latest current', async () => {
    const { a, campaign } = await district();
    await service().submitSelfReport(testAdmin, form(campaign.id, a.code, { computers: 4 }));
    const second = await service().submitSelfReport(testAdmin, form(campaign.id, a.code, { computers: 6 }));
    expect(second).toMatchObject({ revision: 2, computers: 6, supersededAt: null, submittedBy: testAdmin.id, licensed: { OPERATING_SYSTEM: 3, OFFICE: 1, ANTIVIRUS: 2 } });
    const current = await service().selfReports(testAdmin, campaign, {}, 20, null);
    expect(current.items.map((r) => [r.revision, r.computers])).toEqual([[2, 6]]);
    const history = await service().selfReports(testAdmin, campaign, { includeHistory: true }, 20, null);
    expect(history.items.map((r) => [r.revision, r.computers, r.supersededAt === null])).toEqual([
      [2, 6, true],
      [1, 4, false],
    ]);
    expect(await history.totalCount()).toBe(2);
  });
});

/** dept A: two desktops (one operator on both) and a laptop; OS licensed on two, OFFICE on one, AV installed unlicensed on one. */
async function measuredWorld() {
  const { root, a, b, campaign } = await district();
  const [d1, d2] = [await world.machine(a.code, '王芳'), await world.machine(a.code, '王芳')];
  const nb = await laptop(a.code, '刘洋');
  const os = await world.edition((await world.product(OS)).id);
  const office = await world.edition((await world.product(OFFICE)).id);
  const av = await world.edition((await world.product(AV)).id);
  for (const m of [d1, d2, nb]) await world.install(m.id, os.id);
  await world.install(d1.id, office.id);
  await world.install(nb.id, av.id);
  const osSeats = await world.entitlement(a.code, os.id, { quantity: 5 });
  await world.assign(osSeats.id, { machineId: d1.id });
  await world.assign(osSeats.id, { machineId: d2.id });
  const officeSeats = await world.entitlement(a.code, office.id, { quantity: 5 });
  await world.assign(officeSeats.id, { machineId: d1.id });
  await world.incremental();
  return { root, a, b, campaign, machines: { d1, d2, nb }, editions: { os, office, av }, seats: { osSeats, officeSeats } };
}

const figuresOf = (u: Parameters<typeof toUnitDiscrepancyType>[0]) =>
  toUnitDiscrepancyType(u, [OS, OFFICE, AV]).figures.map((f) => [f.figure, f.category, f.declared, f.measured, f.difference]);

describe('declared against measured', () => {
  it('shows each declared figure beside the measured one, with the exact discrepancy', async () => {
    const { a, root, campaign } = await measuredWorld();
    await service().submitSelfReport(testAdmin, form(campaign.id, a.code));
    const expected = [
      ['COMPUTERS', null, 4, 3, 1],
      ['DESKTOPS', null, 3, 2, 1],
      ['LAPTOPS', null, 1, 1, 0],
      ['OPERATORS', null, 3, 2, 1],
      ['LICENSED', OS, 3, 2, 1],
      ['LICENSED', OFFICE, 1, 1, 0],
      ['LICENSED', AV, 2, 0, 2],
    ];
    expect(figuresOf(await service().discrepancy(testAdmin, campaign, a.code))).toEqual(expected);
    const page = await service().discrepancies(testAdmin, campaign, true, 20, null);
    expect(page.items.map((u) => u.orgUnitId)).toEqual([a.id]);
    expect(figuresOf(page.items[0])).toEqual(expected);
    // The root has not reported: declared figures are null; measured ones cover its subtree.
    expect(figuresOf(await service().discrepancy(testAdmin, campaign, root.code))).toEqual([
      ['COMPUTERS', null, null, 3, null],
      ['DESKTOPS', null, null, 2, null],
      ['LAPTOPS', null, null, 1, null],
      ['OPERATORS', null, null, 2, null],
      ['LICENSED', OS, null, 2, null],
      ['LICENSED', OFFICE, null, 1, null],
      ['LICENSED', AV, null, 0, null],
    ]);
  });
});

describe('spot checks', () => {
  it('draws a reproducible sample: md5(seed || machine id) order, the same seed gives the same machines', async () => {
    const { a, campaign } = await district();
    const machines: Array<{ id: string }> = [];
    for (let i = 0; i < 12; i++) machines.push(await world.machine(a.code));
    const sample = async (seed: string) => {
      const check = await service().drawSpotCheck(testAdmin, { campaignId: campaign.id, orgUnitCode: a.code, sampleSize: 5, seed });
      expect(check).toMatchObject({ seed, requestedSize: 5, sampleSize: 5 });
      const rows = await auditContext(world.audit, testAdmin).loaders.campaign.sampledMachines.load(check.id);
      return rows.map((r) => r.machineId);
    };
    const expected = (seed: string) =>
      machines
        .map((m) => ({ id: m.id, key: createHash('md5').update(seed + m.id).digest('hex') }))
        .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
        .slice(0, 5)
        .map((m) => m.id);
    const first = await sample('round-1');
    expect(first).toEqual(expected('round-1'));
    expect(await sample('round-1')).toEqual(first);
    const other = await sample('round-2');
    expect(other).toEqual(expected('round-2'));
    expect(other).not.toEqual(first);
    // Fewer machines than asked: the whole unit.
    const all = await service().drawSpotCheck(testAdmin, { campaignId: campaign.id, orgUnitCode: a.code, sampleSize: 50, seed: 'x' });
    expect(all.sampleSize).toBe(12);
  });

  it('records findings and reports their discrepancy with the engine exactly', async () => {
    const { a, campaign, machines } = await measuredWorld();
    const check = await service().drawSpotCheck(testAdmin, { campaignId: campaign.id, orgUnitCode: a.code, sampleSize: 3, seed: 'inspection' });
    const record = (machineId: string, category: SoftwareCategory, finding: string) =>
      service().recordFinding(testAdmin, { spotCheckId: check.id, machineId, category, finding, note: null });
    // Engine: OS LICENSED on d1, d2 and UNLICENSED on nb; AV UNLICENSED on nb, MISSING on d1.
    await record(machines.d1.id, OS, 'FOUND_LICENSED');
    await record(machines.d2.id, OS, 'FOUND_UNLICENSED');
    await record(machines.nb.id, OS, 'FOUND_LICENSED');
    await record(machines.nb.id, AV, 'FOUND_UNLICENSED');
    await record(machines.d1.id, AV, 'FOUND_LICENSED');
    await record(machines.d1.id, AV, 'FOUND_MISSING'); // recorded again: replaces
    const rows = await auditContext(world.audit, testAdmin).loaders.campaign.sampledMachines.load(check.id);
    expect(
      toSpotCheckDiscrepancies(rows, [OS, OFFICE, AV]).map((d) => [d.category, d.inspected, d.foundLicensed, d.foundUnlicensed, d.foundMissing, d.engineLicensed, d.licensedDifference, d.mismatches]),
    ).toEqual([
      [OS, 3, 2, 1, 0, 2, 0, 2],
      [OFFICE, 0, 0, 0, 0, 0, 0, 0],
      [AV, 2, 0, 1, 1, 0, 0, 0],
    ]);
    const outsider = await world.machine(a.code);
    expect(await codeOf(record(outsider.id, OS, 'FOUND_LICENSED'))).toBe('BAD_USER_INPUT');
    expect(await codeOf(record(machines.d1.id, SoftwareCategory.DESIGN, 'FOUND_LICENSED'))).toBe('BAD_USER_INPUT');
    const manager = actorFor(Role.ASSET_MANAGER);
    expect(await codeOf(service(manager).recordFinding(manager, { spotCheckId: check.id, machineId: machines.d1.id, category: OS, finding: 'FOUND_LICENSED' }))).toBe('FORBIDDEN');
  });
});

describe('rounds', () => {
  it('freezes the figures when published: later installs and seats change the live figures, never the round', async () => {
    const { a, b, root, campaign, machines, editions, seats } = await measuredWorld();
    await service().submitSelfReport(testAdmin, form(campaign.id, a.code));
    const round = await service().publishRound(testAdmin, campaign.id, 'self-check results');
    expect(round).toMatchObject({ number: 1, label: 'self-check results', phase: 'SELF_CHECK' });
    const frozen = async (roundId = round.id) => {
      const [stored] = await auditContext(world.audit, testAdmin).loaders.campaign.roundById.loadMany([roundId]);
      const page = await service().roundFigures(testAdmin, stored as typeof round, 20, null);
      return Object.fromEntries(page.items.map((u) => [u.orgUnitId, figuresOf(u)]));
    };
    const before = await frozen();
    expect(Object.keys(before).sort()).toEqual([root.id, a.id, b.id].sort());
    expect(before[a.id]).toEqual(figuresOf(await service().discrepancy(testAdmin, campaign, a.code)));

    // Remediation: the laptop gets an OS seat, a new licensed desktop arrives, the self-report is corrected.
    await world.assign(seats.osSeats.id, { machineId: machines.nb.id });
    const d3 = await world.machine(a.code);
    await world.install(d3.id, editions.os.id);
    await world.assign(seats.osSeats.id, { machineId: d3.id });
    await world.incremental();
    await service().submitSelfReport(testAdmin, form(campaign.id, a.code, { computers: 5, desktops: 4 }));

    const live = figuresOf(await service().discrepancy(testAdmin, campaign, a.code));
    expect(live.slice(0, 1)).toEqual([['COMPUTERS', null, 5, 4, 1]]);
    expect(live[4]).toEqual(['LICENSED', OS, 3, 4, -1]);
    expect(await frozen()).toEqual(before);

    const second = await service().publishRound(testAdmin, campaign.id, null);
    expect(second.number).toBe(2);
    expect((await frozen(second.id))[a.id]).toEqual(live);
    expect((await service().rounds(campaign, 20, null)).items.map((r) => r.number)).toEqual([2, 1]);
  });
});

describe('progress and overdue units', () => {
  it('lists the reporting units and which are overdue once the self-check deadline has passed', async () => {
    const { root, a, b, campaign } = await district({ selfCheck: '2020-01-10' });
    await service().submitSelfReport(testAdmin, form(campaign.id, a.code));
    const progress = await service().progress(testAdmin, campaign, 20, null);
    const byUnit = Object.fromEntries(progress.items.map((p) => [p.orgUnitId, p.revision]));
    expect(byUnit).toEqual({ [a.id]: 1, [b.id]: null });
    expect(progress.items.some((p) => p.orgUnitId === root.id)).toBe(false);
    expect((await service().overdue(testAdmin, campaign, null, 20, null)).items.map((p) => p.orgUnitId)).toEqual([b.id]);
    expect((await service().overdue(testAdmin, campaign, '2020-01-10', 20, null)).items).toEqual([]);
    expect((await service().overdue(testAdmin, campaign, '2020-01-11', 20, null)).items.map((p) => p.orgUnitId)).toEqual([b.id]);

    const future = await district();
    expect((await service().overdue(testAdmin, future.campaign, null, 20, null)).items).toEqual([]);
  });

  it('counts completed spot checks per unit', async () => {
    const { a, campaign } = await district();
    const m = await world.machine(a.code);
    const check = await service().drawSpotCheck(testAdmin, { campaignId: campaign.id, orgUnitCode: a.code, sampleSize: 1, seed: 's' });
    for (const category of [OS, OFFICE]) await service().recordFinding(testAdmin, { spotCheckId: check.id, machineId: m.id, category, finding: 'FOUND_MISSING' });
    const row = () => service().progress(testAdmin, campaign, 20, null).then((p) => p.items.find((i) => i.orgUnitId === a.id));
    expect(await row()).toMatchObject({ spotChecks: 1, completeSpotChecks: 0 });
    await service().recordFinding(testAdmin, { spotCheckId: check.id, machineId: m.id, category: AV, finding: 'FOUND_MISSING' });
    expect(await row()).toMatchObject({ spotChecks: 1, completeSpotChecks: 1 });
  });
});

describe('scope', () => {
  it('limits every read and write to the caller\u2019s subtree', async () => {
    const { a, b, campaign } = await measuredWorld();
    await service().submitSelfReport(testAdmin, form(campaign.id, b.code));
    const checkB = await service().drawSpotCheck(testAdmin, { campaignId: campaign.id, orgUnitCode: b.code, sampleSize: 1, seed: 's' });
    await service().publishRound(testAdmin, campaign.id, null);

    const managerA = actorFor(Role.ASSET_MANAGER, a);
    // The campaign covers dept A, so its people see it, but only their own units' figures.
    expect((await service(managerA).get(managerA, campaign.id)).id).toBe(campaign.id);
    expect((await service(managerA).list(managerA, {}, 20, null)).items.map((c) => c.id)).toContain(campaign.id);
    expect((await service(managerA).selfReports(managerA, campaign, {}, 20, null)).items).toEqual([]);
    await service(managerA).submitSelfReport(managerA, form(campaign.id, a.code));
    expect((await service(managerA).selfReports(managerA, campaign, {}, 20, null)).items.map((r) => r.orgUnitId)).toEqual([a.id]);
    expect((await service(managerA).discrepancies(managerA, campaign, false, 20, null)).items.map((u) => u.orgUnitId)).toEqual([a.id]);
    expect((await service(managerA).progress(managerA, campaign, 20, null)).items.map((u) => u.orgUnitId)).toEqual([a.id]);
    expect((await service(managerA).spotChecks(managerA, campaign, 20, null)).items).toEqual([]);
    const [round] = (await service(managerA).rounds(campaign, 20, null)).items;
    expect((await service(managerA).roundFigures(managerA, round, 20, null)).items.map((u) => u.orgUnitId)).toEqual([a.id]);
    // Single reads and writes outside: NOT_FOUND.
    expect(await codeOf(service(managerA).submitSelfReport(managerA, form(campaign.id, b.code)))).toBe('NOT_FOUND');
    expect(await codeOf(service(managerA).discrepancy(managerA, campaign, b.code))).toBe('NOT_FOUND');
    expect(await codeOf(service(managerA).spotCheck(managerA, checkB.id))).toBe('NOT_FOUND');
    // An auditor of dept A may spot-check dept A, but not manage a campaign reaching beyond it.
    const auditorA = actorFor(Role.AUDITOR, a);
    expect((await service(auditorA).drawSpotCheck(auditorA, { campaignId: campaign.id, orgUnitCode: a.code, sampleSize: 1 })).orgUnitId).toBe(a.id);
    expect(await codeOf(service(auditorA).drawSpotCheck(auditorA, { campaignId: campaign.id, orgUnitCode: b.code, sampleSize: 1 }))).toBe('NOT_FOUND');
    expect(await codeOf(service(auditorA).advance(auditorA, campaign.id, 'REMEDIATION'))).toBe('FORBIDDEN');
    expect(await codeOf(service(auditorA).publishRound(auditorA, campaign.id, null))).toBe('FORBIDDEN');
    // Someone of another tree does not see the campaign at all.
    const stranger = await world.unit(null, 'stranger');
    const outsider = actorFor(Role.AUDITOR, stranger);
    expect(await codeOf(service(outsider).get(outsider, campaign.id))).toBe('NOT_FOUND');
    expect((await service(outsider).list(outsider, {}, 20, null)).items.map((c) => c.id)).not.toContain(campaign.id);
    expect(await codeOf(service(outsider).submitSelfReport(outsider, form(campaign.id, stranger.code)))).toBe('NOT_FOUND');
    expect(await codeOf(service(outsider).advance(outsider, campaign.id, 'REMEDIATION'))).toBe('NOT_FOUND');
  });
});
