import { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { systemActor, type Actor } from '@genuine/kit';
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
export function registryContext(orm: MikroORM, actor: Actor, requestId = uniqueCode('req')): RegistryContext {
  return createRegistryContext({ em: orm.em.fork(), actor, requestId, log: silentLog });
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
