import { MikroORM } from '@mikro-orm/postgresql';
import { Allocation, EntitlementType, LicenseMetric, SoftwareCategory, withAdvisoryXactLock } from '@genuine/kit';
import { auditOrmConfig } from '../src';
import { COMPLIANCE_JOB, complianceBatch } from '../src/compliance/compliance.worker';
import { ComplianceEngine } from '../src/compliance/compliance.engine';
import { ComplianceWorld } from '../../../test/support/compliance';
import { testDatabaseUrl } from '../../../test/support/test-database';

let world: ComplianceWorld;
beforeAll(async () => {
  world = await ComplianceWorld.open();
});
afterAll(() => world.close());

const OS = SoftwareCategory.OPERATING_SYSTEM;
const OFFICE = SoftwareCategory.OFFICE;
const AV = SoftwareCategory.ANTIVIRUS;

/** Each rule of DESIGN → Compliance semantics with a small hand-computed case (its own units and products). */
describe('compliance rules', () => {
  it('rule 2a + downgrade rights: a seat of Windows 10 Pro covers an install of Windows 7 Pro on that machine only', async () => {
    const unit = await world.unit(null, 'downgrade');
    const os = await world.product(OS);
    const win7 = await world.edition(os.id);
    const win10 = await world.edition(os.id, { covers: [win7.id] });
    const [seated, unseated] = [await world.machine(unit.code), await world.machine(unit.code)];
    await world.install(seated.id, win7.id);
    await world.install(unseated.id, win7.id);
    const ent = await world.entitlement(unit.code, win10.id, { quantity: 5 });
    await world.assign(ent.id, { machineId: seated.id });
    await world.incremental();
    expect(await world.statuses([seated.id, unseated.id], OS)).toEqual({ [seated.id]: 'LICENSED', [unseated.id]: 'UNLICENSED' });
    expect(await world.coverage(seated.id)).toEqual([{ edition_id: win7.id, basis: 'DEVICE', entitlement_id: ent.id }]);
  });

  it('suites: an edition that includes a product covers that product\u2019s editions', async () => {
    const unit = await world.unit(null, 'suite');
    const word = await world.product(OFFICE);
    const wordEdition = await world.edition(word.id);
    const suiteProduct = await world.product(OFFICE);
    const suite = await world.edition(suiteProduct.id, { includesProducts: [word.id] });
    const m = await world.machine(unit.code);
    await world.install(m.id, wordEdition.id);
    await world.assign((await world.entitlement(unit.code, suite.id)).id, { machineId: m.id });
    await world.incremental();
    expect(await world.statuses([m.id], OFFICE)).toEqual({ [m.id]: 'LICENSED' });
  });

  it('rule 2b: a per-user seat covers every machine its holder operates', async () => {
    const unit = await world.unit(null, 'per-user');
    const office = await world.product(OFFICE);
    const edition = await world.edition(office.id);
    const [a, b, other] = [await world.machine(unit.code, '张伟'), await world.machine(unit.code, '张伟'), await world.machine(unit.code, '李娜')];
    for (const m of [a, b, other]) await world.install(m.id, edition.id);
    const ent = await world.entitlement(unit.code, edition.id, { metric: LicenseMetric.PER_USER });
    await world.assign(ent.id, { personId: await world.personOf(a.id) });
    await world.incremental();
    expect(await world.statuses([a.id, b.id, other.id], OFFICE)).toEqual({ [a.id]: 'LICENSED', [b.id]: 'LICENSED', [other.id]: 'UNLICENSED' });
    expect((await world.coverage(b.id))[0].basis).toBe('USER');
  });

  it('rule 2c: a site license of an ancestor covers the whole subtree, not a sibling', async () => {
    const county = await world.unit(null, 'site-county');
    const town = await world.unit(county.code, 'site-town');
    const sibling = await world.unit(null, 'site-sibling');
    const av = await world.product(AV);
    const edition = await world.edition(av.id);
    const [inside, outside] = [await world.machine(town.code), await world.machine(sibling.code)];
    await world.install(inside.id, edition.id);
    await world.install(outside.id, edition.id);
    await world.entitlement(county.code, edition.id, { metric: LicenseMetric.SITE, quantity: 1 });
    await world.incremental();
    expect(await world.statuses([inside.id, outside.id], AV)).toEqual({ [inside.id]: 'LICENSED', [outside.id]: 'UNLICENSED' });
  });

  it('rule 2 order: machine seat, then the operator\u2019s, then site, then OEM; among seats of one basis the oldest entitlement', async () => {
    const unit = await world.unit(null, 'order');
    const os = await world.product(OS);
    const edition = await world.edition(os.id);
    const [twoSeats, userSite, siteOem] = [await world.machine(unit.code, '王芳'), await world.machine(unit.code, '刘洋'), await world.machine(unit.code)];
    for (const m of [twoSeats, userSite, siteOem]) await world.install(m.id, edition.id);
    const older = await world.entitlement(unit.code, edition.id, { quantity: 2 });
    const newer = await world.entitlement(unit.code, edition.id, { quantity: 2 });
    // Assigned newest first, so neither assignment order nor id order can pass for the oldest-entitlement rule.
    await world.assign(newer.id, { machineId: twoSeats.id });
    await world.assign(older.id, { machineId: twoSeats.id });
    const perUser = await world.entitlement(unit.code, edition.id, { metric: LicenseMetric.PER_USER });
    await world.assign(perUser.id, { personId: await world.personOf(userSite.id) });
    const site = await world.entitlement(unit.code, edition.id, { metric: LicenseMetric.SITE });
    const oem = await world.entitlement(unit.code, edition.id, { type: EntitlementType.OEM });
    await world.registry.em.fork().execute(`update registry.entitlement set oem_machine_id = ? where id = ?`, [siteOem.id, oem.id]);
    const expected = {
      [twoSeats.id]: [{ edition_id: edition.id, basis: 'DEVICE', entitlement_id: older.id }],
      [userSite.id]: [{ edition_id: edition.id, basis: 'USER', entitlement_id: perUser.id }],
      [siteOem.id]: [{ edition_id: edition.id, basis: 'SITE', entitlement_id: site.id }],
    };
    const coverage = async () => Object.fromEntries(await Promise.all([twoSeats, userSite, siteOem].map(async (m) => [m.id, await world.coverage(m.id)])));
    await world.incremental();
    expect(await coverage()).toEqual(expected);
    await world.full();
    expect(await coverage()).toEqual(expected);
  });

  it('rule 2d: an OEM license covers the machine it is bound to', async () => {
    const unit = await world.unit(null, 'oem');
    const os = await world.product(OS);
    const edition = await world.edition(os.id);
    const [bound, other] = [await world.machine(unit.code), await world.machine(unit.code)];
    await world.install(bound.id, edition.id);
    await world.install(other.id, edition.id);
    const ent = await world.entitlement(unit.code, edition.id, { type: EntitlementType.OEM, quantity: 1 });
    // No API binds an OEM license to its machine yet; the binding is set as the purchase import would.
    await world.registry.em.fork().execute(`update registry.entitlement set oem_machine_id = ? where id = ?`, [bound.id, ent.id]);
    await world.full();
    expect(await world.statuses([bound.id, other.id], OS)).toEqual({ [bound.id]: 'LICENSED', [other.id]: 'UNLICENSED' });
  });

  it('rule 2e: pooled seats go to the nearest owning unit first, then the oldest entitlement, then machine id', async () => {
    const county = await world.unit(null, 'pool-county');
    const town = await world.unit(county.code, 'pool-town');
    const office = await world.unit(town.code, 'pool-office');
    const other = await world.unit(county.code, 'pool-other');
    const product = await world.product(OFFICE);
    const edition = await world.edition(product.id);
    const inTown = await world.machine(town.code);
    const inOther = await world.machine(other.code);
    const inOffice = [await world.machine(office.code), await world.machine(office.code)].sort((a, b) => a.id.localeCompare(b.id));
    for (const m of [inTown, inOther, ...inOffice]) await world.install(m.id, edition.id);
    const countyPool = await world.entitlement(county.code, edition.id, { quantity: 2, allocation: Allocation.POOLED, validFrom: '2020-01-01' });
    const townPool = await world.entitlement(town.code, edition.id, { quantity: 1, allocation: Allocation.POOLED, validFrom: '2021-01-01' });
    await world.incremental();
    // Distance 0: the town machine takes the town's only seat. Distance 1: the county's older pool reaches the
    // machine of the other township (the town pool is empty). Distance 2: the county's last seat goes to the lower
    // machine id of the office.
    expect((await world.coverage(inTown.id))[0]).toMatchObject({ basis: 'POOL', entitlement_id: townPool.id });
    expect((await world.coverage(inOther.id))[0]).toMatchObject({ basis: 'POOL', entitlement_id: countyPool.id });
    expect((await world.coverage(inOffice[0].id))[0]).toMatchObject({ basis: 'POOL', entitlement_id: countyPool.id });
    expect((await world.coverage(inOffice[1].id))[0]).toMatchObject({ basis: null, entitlement_id: null });
    // Positions: seats count where the entitlement is owned.
    const positions = await world.audit.em.fork().execute(
      `select org_unit_id, installs, covered, entitled, pooled from audit.compliance_position where edition_id = ? order by installs desc, entitled desc`,
      [edition.id],
    );
    expect(positions).toEqual(
      expect.arrayContaining([
        { org_unit_id: office.id, installs: 2, covered: 1, entitled: 0, pooled: 0 },
        { org_unit_id: county.id, installs: 0, covered: 0, entitled: 2, pooled: 2 },
        { org_unit_id: town.id, installs: 1, covered: 1, entitled: 1, pooled: 1 },
        { org_unit_id: other.id, installs: 1, covered: 1, entitled: 0, pooled: 0 },
      ]),
    );
  });

  describe('rule 2e when machines arrive and no pool changed: the previous deal is repaired, not dealt again', () => {
    /** Recomputes the machines as a worker batch would, and says how the engine dealt the pools. */
    const recompute = async (machineIds: string[]) => {
      const run = await withAdvisoryXactLock(world.audit.em, COMPLIANCE_JOB, async (tx) => {
        const [{ today }] = await tx.execute<Array<{ today: string }>>(`select to_char(current_date, 'YYYY-MM-DD') as today`);
        const engine = new ComplianceEngine(tx, today);
        await engine.recomputeMachines(machineIds);
        return engine.poolDeals;
      });
      return run.acquired ? run.value : null;
    };
    const seat = async (machineId: string) => (await world.coverage(machineId)).map((c) => c.entitlement_id);

    it('an arriving machine that comes first in the rule\'s order takes the seat, and the holder it displaces moves to its next pool', async () => {
      const county = await world.unit(null, 'repair-county');
      const office = await world.unit(county.code, 'repair-office');
      const os = await world.edition((await world.product(OS)).id);
      const officePool = await world.entitlement(office.code, os.id, { quantity: 1, allocation: Allocation.POOLED, validFrom: '2020-01-01' });
      const countyPool = await world.entitlement(county.code, os.id, { quantity: 5, allocation: Allocation.POOLED, validFrom: '2021-01-01' });
      const [first, second] = [await world.machine(office.code), await world.machine(office.code)].sort((a, b) => a.id.localeCompare(b.id));
      await world.install(second.id, os.id);
      await world.incremental();
      expect(await seat(second.id)).toEqual([officePool.id]);

      // The office's only seat goes to the lower machine id: `second` gives it up and takes one of the county's.
      await world.install(first.id, os.id);
      expect(await recompute([first.id])).toEqual({ repaired: 1, dealt: 0 });
      expect([await seat(first.id), await seat(second.id)]).toEqual([[officePool.id], [countyPool.id]]);
      const repaired = await world.snapshot([county.id, office.id], [first.id, second.id]);
      await world.full();
      expect(repaired).toEqual(await world.snapshot([county.id, office.id], [first.id, second.id]));
    });

    it('a seat given up in a full pool goes to the need the pool turned away: that takes the whole deal', async () => {
      const unit = await world.unit(null, 'repair-full');
      const os = await world.edition((await world.product(OS)).id);
      const pool = await world.entitlement(unit.code, os.id, { quantity: 1, allocation: Allocation.POOLED });
      const [holder, waiting] = [await world.machine(unit.code), await world.machine(unit.code)].sort((a, b) => a.id.localeCompare(b.id));
      for (const m of [holder, waiting]) await world.install(m.id, os.id);
      await world.incremental();
      expect([await seat(holder.id), await seat(waiting.id)]).toEqual([[pool.id], [null]]);

      await world.uninstall(holder.id, os.id);
      expect(await recompute([holder.id])).toEqual({ repaired: 0, dealt: 1 });
      expect(await seat(waiting.id)).toEqual([pool.id]);
    });
  });

  it('expired entitlements cover nothing', async () => {
    const unit = await world.unit(null, 'expiry');
    const os = await world.product(OS);
    const edition = await world.edition(os.id);
    const m = await world.machine(unit.code);
    await world.install(m.id, edition.id);
    const ent = await world.entitlement(unit.code, edition.id, { validFrom: '2019-01-01', validUntil: '2020-12-31' });
    await world.assign(ent.id, { machineId: m.id }).catch(() => undefined); // the registry refuses seats of expired entitlements
    await world.incremental();
    expect(await world.statuses([m.id], OS)).toEqual({ [m.id]: 'UNLICENSED' });
  });

  it('rules 1, 3 and 5: free software needs nothing, nothing installed is MISSING, fully licensed needs all three tracked categories', async () => {
    const unit = await world.unit(null, 'status');
    const freeAv = await world.edition((await world.product(AV, false)).id, { listPrice: null });
    const os = await world.edition((await world.product(OS)).id);
    const office = await world.edition((await world.product(OFFICE)).id, { listPrice: '2899.00' });
    const [full, noOffice, bare] = [await world.machine(unit.code), await world.machine(unit.code), await world.machine(unit.code)];
    for (const m of [full, noOffice]) {
      await world.install(m.id, freeAv.id);
      await world.install(m.id, os.id);
    }
    await world.install(full.id, office.id);
    await world.install(bare.id, office.id);
    const osEnt = await world.entitlement(unit.code, os.id, { quantity: 2 });
    const officeEnt = await world.entitlement(unit.code, office.id, { quantity: 1 });
    await world.assign(osEnt.id, { machineId: full.id });
    await world.assign(osEnt.id, { machineId: noOffice.id });
    await world.assign(officeEnt.id, { machineId: full.id });
    await world.incremental();
    expect(await world.statuses([full.id, noOffice.id, bare.id], AV)).toEqual({ [full.id]: 'LICENSED', [noOffice.id]: 'LICENSED', [bare.id]: 'MISSING' });
    expect(await world.statuses([full.id, noOffice.id, bare.id], OFFICE)).toEqual({ [full.id]: 'LICENSED', [noOffice.id]: 'MISSING', [bare.id]: 'UNLICENSED' });
    const [totals] = await world.audit.em.fork().execute(`select machine_count, fully_licensed from audit.compliance_unit where org_unit_id = ?`, [unit.id]);
    expect(totals).toEqual({ machine_count: 3, fully_licensed: 1 });
    const [officeCounts] = await world.audit.em.fork().execute(
      `select machine_count, licensed, unlicensed, missing from audit.compliance_unit_category where org_unit_id = ? and category = 'OFFICE'`,
      [unit.id],
    );
    expect(officeCounts).toEqual({ machine_count: 3, licensed: 1, unlicensed: 1, missing: 1 });
    // Rule 6: one uncovered Office install x list price 2899.00.
    const [position] = await world.audit.em.fork().execute(
      `select p.installs, p.covered, p.entitled, p.assigned, (p.installs - p.covered) * pr.unit_cost as cost
         from audit.compliance_position p join registry_public.edition_price pr on pr.edition_id = p.edition_id where p.org_unit_id = ? and p.edition_id = ?`,
      [unit.id, office.id],
    );
    expect(position).toEqual({ installs: 2, covered: 1, entitled: 1, assigned: 1, cost: '2899.0000' });
  });

  it('shortfall cost uses the latest purchase price when the edition has no list price', async () => {
    const unit = await world.unit(null, 'cost');
    const edition = await world.edition((await world.product(OFFICE)).id, { listPrice: null });
    const [a, b] = [await world.machine(unit.code), await world.machine(unit.code)];
    await world.install(a.id, edition.id);
    await world.install(b.id, edition.id);
    await world.entitlement(unit.code, edition.id, { unitPrice: '700.10', validFrom: '2020-01-01' });
    await world.entitlement(unit.code, edition.id, { unitPrice: '650.05', validFrom: '2022-06-01' });
    await world.incremental();
    const [row] = await world.audit.em.fork().execute(
      `select (p.installs - p.covered) * pr.unit_cost as cost from audit.compliance_position p join registry_public.edition_price pr on pr.edition_id = p.edition_id
        where p.org_unit_id = ? and p.edition_id = ?`,
      [unit.id, edition.id],
    );
    expect(row).toEqual({ cost: '1300.1000' });
  });
});

describe('the results version', () => {
  const version = async () => {
    const [row] = await world.audit.em.fork().execute<Array<{ v: string }>>(`select xmin::text as v from audit.compliance_state where id = 1`);
    return row.v;
  };
  const batch = () => withAdvisoryXactLock(world.audit.em, COMPLIANCE_JOB, complianceBatch);

  it('stays the same over batches that find nothing to do, and moves with one that does', async () => {
    const unit = await world.unit(null, 'version');
    const edition = await world.edition((await world.product(OS)).id);
    const machine = await world.machine(unit.code);
    await world.install(machine.id, edition.id);
    await world.incremental();
    const settled = await version();
    // Dashboards cache figures under this version: idle polls (one a second) must not change it.
    expect(await batch()).toEqual({ acquired: true, value: 0 });
    expect(await batch()).toEqual({ acquired: true, value: 0 });
    expect(await version()).toBe(settled);
    await world.reinventory(machine.id);
    expect(await batch()).toEqual({ acquired: true, value: 1 });
    expect(await version()).not.toBe(settled);
  });
});

describe('the copy of entitlements and coverage a connection keeps between batches', () => {
  // One connection: every batch runs on the session the previous batch left its copy in.
  let single: MikroORM;
  beforeAll(async () => {
    single = await MikroORM.init(auditOrmConfig({ databaseUrl: testDatabaseUrl(), poolMax: 1 }));
  });
  afterAll(() => single.close());
  const batches = () => world.incremental(single.em);

  it('is used again by the next batch, until an entitlement changes', async () => {
    const unit = await world.unit(null, 'inputs');
    const os = await world.product(OS);
    const edition = await world.edition(os.id);
    const machine = await world.machine(unit.code);
    await world.install(machine.id, edition.id);
    await world.assign((await world.entitlement(unit.code, edition.id)).id, { machineId: machine.id });
    await batches();
    expect(await world.statuses([machine.id], OS)).toEqual({ [machine.id]: 'LICENSED' });

    // The session's copy emptied behind the engine's back: only a batch that uses the copy again loses the seat.
    await single.em.fork().execute('delete from compliance_ent');
    await world.reinventory(machine.id);
    await batches();
    expect(await world.statuses([machine.id], OS)).toEqual({ [machine.id]: 'UNLICENSED' });

    // An entitlement bought anywhere: the next batch copies entitlements again, and later ones use that copy.
    const other = await world.unit(null, 'inputs-other');
    await world.entitlement(other.code, edition.id);
    await batches();
    await world.reinventory(machine.id);
    await batches();
    expect(await world.statuses([machine.id], OS)).toEqual({ [machine.id]: 'LICENSED' });
  });
});
