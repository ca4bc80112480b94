import type { Actor, Logger, RequestContext } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { createMachineLoaders, type MachineLoaders } from './machine/machine.loader';
import { MachineRepository } from './machine/machine.repository';
import { MachineService } from './machine/machine.service';
import { createOrgUnitLoaders, type OrgUnitLoaders } from './org-unit/org-unit.loader';
import { OrgUnitRepository } from './org-unit/org-unit.repository';
import { OrgUnitService } from './org-unit/org-unit.service';

export interface RegistryLoaders {
  orgUnits: OrgUnitLoaders & { inScope: DataLoader<string, boolean> };
  machines: MachineLoaders;
}

export interface RegistryServices {
  orgUnits: OrgUnitService;
  machines: MachineService;
}

export interface RegistryContext extends RequestContext<RegistryLoaders> {
  readonly services: RegistryServices;
}

/** Everything per request: a forked entity manager, fresh loaders, and services bound to them. */
export function createRegistryContext(args: { em: EntityManager; actor: Actor; requestId: string; log: Logger }): RegistryContext {
  const { em, actor, requestId, log } = args;
  const orgUnitRepository = new OrgUnitRepository(em);
  const loaders: RegistryLoaders = {
    orgUnits: {
      ...createOrgUnitLoaders(orgUnitRepository),
      // Scope checks are one set query per batch, never one per row.
      inScope: new DataLoader<string, boolean>(async (ids) => {
        const inside = await orgUnitRepository.filterInScope(actor.scopeUnitId, ids);
        return ids.map((id) => inside.has(id));
      }),
    },
    machines: createMachineLoaders(new MachineRepository(em)),
  };
  const deps = { em, requestId, log };
  const orgUnits = new OrgUnitService(deps, loaders.orgUnits);
  const machines = new MachineService(deps, loaders.machines, orgUnits);
  return { em, actor, requestId, log, loaders, services: { orgUnits, machines } };
}
