import type { MikroORM } from '@mikro-orm/postgresql';
import { systemActor, type Logger } from '@genuine/kit';
import { createRegistryContext } from '@genuine/registry';
import { demoUnits, type DemoUnit } from './demo/units';
import type { OrgUnitKind } from '@genuine/registry/src/org-unit/org-unit.entity';

/**
 * Loads the demo on first start, through the services' own code paths (never by writing tables directly), so
 * that the demo exercises exactly what users do. A database that already has the demo's root unit is left alone.
 */
export async function loadDemo(registryOrm: MikroORM, log: Logger): Promise<boolean> {
  const ctx = createRegistryContext({ em: registryOrm.em.fork(), actor: systemActor, requestId: 'demo-load', log });
  const [existing] = await registryOrm.em.fork().execute<Array<{ n: string }>>(`select count(*) as n from registry.org_unit where code = ?`, [demoUnits[0].code]);
  if (Number(existing.n) > 0) return false;
  const create = async (unit: DemoUnit, parentCode: string | null) => {
    await ctx.services.orgUnits.create(systemActor, { code: unit.code, name: unit.name, kind: unit.kind as OrgUnitKind, parentCode });
    for (const child of unit.children ?? []) await create(child, unit.code);
  };
  for (const root of demoUnits) await create(root, null);
  log.info('demo data loaded');
  return true;
}
