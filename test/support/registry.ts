import { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { MachineKind, SecretBox, SoftwareCategory, LicenseMetric, systemActor, type Actor } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { createRegistryContext, registryOrmConfig, type RegistryContext } from '@genuine/registry';
import { OrgUnitKind } from '@genuine/registry/src/org-unit/org-unit.entity';
import type { OrgUnitRecord } from '@genuine/registry/src/org-unit/org-unit.repository';
import { testDatabaseUrl } from './test-database';

export const silentLog = pino({ level: 'silent' });

export async function openRegistryOrm(poolMax = 5): Promise<MikroORM> {
  return MikroORM.init(registryOrmConfig({ databaseUrl: testDatabaseUrl(), poolMax }));
}

/** A fresh request context, as the server builds one per request. */
export function registryContext(orm: MikroORM, actor: Actor, requestId = uniqueCode('req'), log = silentLog): RegistryContext {
  return createRegistryContext({ em: orm.em.fork(), actor, requestId, log, secretBox: testSecretBox });
}

/** The license-key secret of the tests (64 hex characters, as GENUINE_LICENSE_KEY_SECRET takes it). */
export const TEST_LICENSE_KEY_SECRET = 'a1'.repeat(32);
export const testSecretBox = new SecretBox(TEST_LICENSE_KEY_SECRET);

/** A product with one edition of its own (unique names), created as the system. */
export async function createEdition(orm: MikroORM, options: { metric?: LicenseMetric; listPrice?: { amount: string; currency: string } | null; category?: SoftwareCategory } = {}) {
  const ctx = registryContext(orm, systemActor);
  const product = await ctx.services.catalogue.createProduct(systemActor, {
    publisher: uniqueCode('Publisher'),
    name: uniqueCode('Product'),
    category: options.category ?? SoftwareCategory.OFFICE,
    licensable: true,
  });
  const edition = await ctx.services.catalogue.createEdition(systemActor, {
    productId: product.id,
    name: uniqueCode('Edition'),
    version: '2024',
    metric: options.metric ?? LicenseMetric.PER_DEVICE,
    listPrice: options.listPrice === undefined ? { amount: '100.00', currency: 'CNY' } : options.listPrice,
  });
  return { product, edition };
}

/** A purchase of one line of `quantity` seats of `editionId` for `unitCode`; returns the entitlement. */
export async function buySeats(orm: MikroORM, unitCode: string, editionId: string, quantity: number, line: Record<string, unknown> = {}) {
  const ctx = registryContext(orm, systemActor);
  const { entitlements } = await ctx.services.purchases.record(systemActor, {
    orgUnitCode: unitCode,
    supplier: 'Test Supplier',
    orderNumber: uniqueCode('PO'),
    purchasedOn: '2026-01-15',
    currency: 'CNY',
    lines: [{ editionId, quantity, unitPrice: '100.00', ...line }],
  });
  return entitlements[0];
}

/** Registers `count` desktops named `<prefix>-<n>` in a unit. */
export async function registerDesktops(orm: MikroORM, unitCode: string, count: number, prefix = 'pc') {
  const ctx = registryContext(orm, systemActor);
  return ctx.services.machines.registerMany(
    systemActor,
    Array.from({ length: count }, (_, i) => ({ orgUnitCode: unitCode, hostname: `${prefix}-${String(i + 1).padStart(3, '0')}`, kind: MachineKind.DESKTOP })),
  );
}

/** Creates a small tree of its own: root → two children → one grandchild under the first child. */
export async function createTree(orm: MikroORM) {
  const ctx = registryContext(orm, systemActor);
  const make = (code: string, kind: OrgUnitKind, parentCode: string | null): Promise<OrgUnitRecord> =>
    ctx.services.orgUnits.create(systemActor, { code, name: `Unit ${code}`, kind, parentCode });
  const root = await make(uniqueCode('county'), OrgUnitKind.COUNTY, null);
  const east = await make(uniqueCode('east'), OrgUnitKind.TOWNSHIP, root.code);
  const west = await make(uniqueCode('west'), OrgUnitKind.TOWNSHIP, root.code);
  const eastOffice = await make(uniqueCode('east-office'), OrgUnitKind.DEPARTMENT, east.code);
  return { root, east, west, eastOffice };
}
