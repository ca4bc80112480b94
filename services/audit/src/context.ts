import type { Actor, Logger, RequestContext } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { createInventoryLoaders, type InventoryLoaders } from './inventory/inventory.loader';
import { InventoryRepository } from './inventory/inventory.repository';
import { InventoryService } from './inventory/inventory.service';
import { ScopeRepository } from './scope/scope.repository';

export interface AuditLoaders {
  inventory: InventoryLoaders;
  machineInScope: DataLoader<string, boolean>;
}

export interface AuditServices {
  inventory: InventoryService;
}

export interface AuditContext extends RequestContext<AuditLoaders> {
  readonly services: AuditServices;
}

/** Everything per request: a forked entity manager, fresh loaders, and services bound to them. */
export function createAuditContext(args: { em: EntityManager; actor: Actor; requestId: string; log: Logger }): AuditContext {
  const { em, actor, requestId, log } = args;
  const scope = new ScopeRepository(em);
  const loaders: AuditLoaders = {
    inventory: createInventoryLoaders(new InventoryRepository(em)),
    machineInScope: new DataLoader<string, boolean>(async (ids) => {
      const inside = await scope.machinesInScope(actor.scopeUnitId, ids);
      return ids.map((id) => inside.has(id));
    }),
  };
  return { em, actor, requestId, log, loaders, services: { inventory: new InventoryService(loaders.inventory, loaders.machineInScope) } };
}
