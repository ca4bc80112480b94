import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, Role, systemActor } from '@genuine/kit';
import { actorFor, uniqueCode } from '@genuine/kit/src/testing';
import { buySeats, createEdition, createTree, openRegistryOrm, registerDesktops, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openRegistryOrm();
});
afterAll(() => orm.close());

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (err: unknown) => (err instanceof AppError ? err.code : `unexpected: ${String(err)}`));
const finance = actorFor(Role.FINANCE);

describe('purchases and entitlements', () => {
  it('records a purchase with the contract defaults, one entitlement per line, linked both ways', async () => {
    const { east } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const ctx = registryContext(orm, finance);
    const { purchase, entitlements } = await ctx.services.purchases.record(finance, {
      orgUnitCode: east.code,
      supplier: '浙江软件经销有限公司',
      orderNumber: uniqueCode('ZC'),
      purchasedOn: '2026-03-01',
      currency: 'CNY',
      lines: [
        { editionId: edition.id, quantity: 10, unitPrice: '1399.00' },
        { editionId: edition.id, quantity: 2, unitPrice: '99.9', validFrom: '2026-04-01', validUntil: '2027-03-31', allocation: 'POOLED' as never, type: 'SUBSCRIPTION' as never },
      ],
    });
    expect(entitlements.map((e) => [e.quantity, e.metric, e.allocation, e.type, e.validFrom, e.validUntil, e.unitPrice, e.currency, e.purchaseId, e.orgUnitId])).toEqual([
      [10, 'PER_DEVICE', 'ASSIGNED', 'PERPETUAL', '2026-03-01', null, '1399.0000', 'CNY', purchase.id, east.id],
      [2, 'PER_DEVICE', 'POOLED', 'SUBSCRIPTION', '2026-04-01', '2027-03-31', '99.9000', 'CNY', purchase.id, east.id],
    ]);
    const read = registryContext(orm, actorFor(Role.VIEWER, east));
    expect((await read.services.entitlements.ofPurchase(read.actor, purchase.id)).map((e) => e.id)).toEqual(entitlements.map((e) => e.id));
    expect(await read.services.purchases.totalOf(purchase)).toBe('14189.8000');
    // The same order of the same supplier twice is a CONFLICT, and nothing of it is written.
    const again = ctx.services.purchases.record(finance, { orgUnitCode: east.code, supplier: '浙江软件经销有限公司', orderNumber: purchase.orderNumber, purchasedOn: '2026-03-02', currency: 'CNY', lines: [{ editionId: edition.id, quantity: 1, unitPrice: '1' }] });
    expect(await codeOf(again)).toBe('CONFLICT');
    const [{ n }] = await orm.em.fork().execute(`select count(*)::int as n from registry.entitlement where edition_id = ?`, [edition.id]);
    expect(n).toBe(2);
    expect(await codeOf(registryContext(orm, actorFor(Role.ASSET_MANAGER)).services.purchases.record(actorFor(Role.ASSET_MANAGER), { orgUnitCode: east.code, supplier: 's', orderNumber: 'o', purchasedOn: '2026-01-01', currency: 'CNY', lines: [{ editionId: edition.id, quantity: 1, unitPrice: '1' }] }))).toBe('FORBIDDEN');
  });

  it('adds money exactly: 0.1 + 0.2 is 0.3, in purchase totals and in spend per unit and period', async () => {
    const { root, east, west } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const ctx = registryContext(orm, finance);
    const record = (unit: string, purchasedOn: string, prices: string[]) =>
      ctx.services.purchases.record(finance, {
        orgUnitCode: unit,
        supplier: 'Exact Supplier',
        orderNumber: uniqueCode('PO'),
        purchasedOn,
        currency: 'CNY',
        lines: prices.map((unitPrice) => ({ editionId: edition.id, quantity: 1, unitPrice })),
      });
    const { purchase } = await record(east.code, '2026-01-05', ['0.1', '0.2']);
    expect(await ctx.services.purchases.totalOf(purchase)).toBe('0.3000');
    await record(east.code, '2026-01-20', ['0.1']);
    await record(west.code, '2026-02-01', ['0.2', '0.0001']);
    const report = await registryContext(orm, finance).services.purchases.spend(finance, { orgUnitCode: root.code, from: '2026-01-01', to: '2026-12-31' });
    expect(report.rows.map((r) => [r.orgUnitId, r.periodStart, r.amount, r.purchases, r.seats])).toEqual([
      [east.id, '2026-01-01', '0.4000', 2, 3],
      [west.id, '2026-02-01', '0.2001', 1, 2],
    ]);
    expect(report.totals).toEqual([{ currency: 'CNY', amount: '0.6001' }]);
    const viewer = actorFor(Role.VIEWER);
    expect(await codeOf(registryContext(orm, viewer).services.purchases.spend(viewer, {}))).toBe('FORBIDDEN');
  });

  it('transfers an entitlement to another unit, revoking seats outside it, and keeps its history', async () => {
    const { root, east, west } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const entitlement = await buySeats(orm, east.code, edition.id, 3, { assetTag: 'ZC-0001' });
    const [machine] = await registerDesktops(orm, east.code, 1);
    const seat = await registryContext(orm, systemActor).services.assignments.assign(systemActor, { entitlementId: entitlement.id, machineId: machine.id });
    const moved = await registryContext(orm, finance, 'req-transfer').services.entitlements.transfer(finance, entitlement.id, west.code);
    expect(moved.orgUnitId).toBe(west.id);
    expect(moved.assetTag).toBe('ZC-0001');
    const history = await registryContext(orm, actorFor(Role.AUDITOR)).services.history.events(actorFor(Role.AUDITOR), { entityId: entitlement.id }, 10, null);
    expect(history.items.map((e) => [e.action, (e.before as { orgUnitId?: string } | null)?.orgUnitId ?? null, (e.after as { orgUnitId: string }).orgUnitId, e.requestId === 'req-transfer'])).toEqual([
      ['entitlement.transfer', east.id, west.id, true],
      ['entitlement.create', null, east.id, false],
    ]);
    // The east office's auditor still sees the transfer (it touched their unit); the seat was revoked with it.
    const eastAuditor = actorFor(Role.AUDITOR, east);
    const seen = await registryContext(orm, eastAuditor).services.history.events(eastAuditor, { entityId: entitlement.id }, 10, null);
    expect(seen.items.map((e) => e.action)).toEqual(['entitlement.transfer', 'entitlement.create']);
    const [revoked] = await orm.em.fork().execute(`select revoked_at is not null as revoked from registry.assignment where id = ?`, [seat.id]);
    expect(revoked.revoked).toBe(true);
    const changes = await orm.em.fork().execute(`select action, org_unit_ids from registry_public.change_log where entity_id = ? order by id`, [entitlement.id]);
    expect(changes.map((c) => c.action)).toEqual(['create', 'transfer']);
    expect([...changes[1].org_unit_ids].sort()).toEqual([east.id, west.id].sort());
    // A finance officer of the west township cannot take it back: the east unit is outside their scope.
    const westFinance = actorFor(Role.FINANCE, west);
    expect(await codeOf(registryContext(orm, westFinance).services.entitlements.transfer(westFinance, entitlement.id, east.code))).toBe('NOT_FOUND');
    void root;
  });

  it('never lets the quantity drop below the seats in use', async () => {
    const { east } = await createTree(orm);
    const { edition } = await createEdition(orm);
    const entitlement = await buySeats(orm, east.code, edition.id, 2);
    const machines = await registerDesktops(orm, east.code, 2);
    for (const m of machines) await registryContext(orm, systemActor).services.assignments.assign(systemActor, { entitlementId: entitlement.id, machineId: m.id });
    expect(await codeOf(registryContext(orm, finance).services.entitlements.update(finance, { id: entitlement.id, quantity: 1 }))).toBe('SEAT_LIMIT_EXCEEDED');
    const updated = await registryContext(orm, finance).services.entitlements.update(finance, { id: entitlement.id, quantity: 5, assetTag: 'T-9' });
    expect([updated.quantity, updated.assetTag]).toEqual([5, 'T-9']);
  });

  it('publishes entitlements, assignments and the shortfall price for the compliance engine', async () => {
    const { east } = await createTree(orm);
    const { edition } = await createEdition(orm, { listPrice: null });
    await buySeats(orm, east.code, edition.id, 1, { unitPrice: '80.00' });
    const em = orm.em.fork();
    const [price] = await em.execute(`select list_price, latest_unit_price::text as latest, unit_cost::text as cost, cost_currency from registry_public.edition_price where edition_id = ?`, [edition.id]);
    expect(price).toEqual({ list_price: null, latest: '80.0000', cost: '80.0000', cost_currency: 'CNY' });
    const [row] = await em.execute(`select metric, type, allocation, retired, quantity, valid_until from registry_public.entitlement where edition_id = ?`, [edition.id]);
    expect(row).toEqual({ metric: 'PER_DEVICE', type: 'PERPETUAL', allocation: 'ASSIGNED', retired: false, quantity: 1, valid_until: null });
  });
});
