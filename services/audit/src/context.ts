import type { Actor, Logger, RequestContext } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { createInventoryLoaders, type InventoryLoaders } from './inventory/inventory.loader';
import { InventoryRepository } from './inventory/inventory.repository';
import { InventoryService } from './inventory/inventory.service';
import { createNormalizationLoaders, type NormalizationLoaders } from './normalization/normalization.loader';
import { NormalizationRepository } from './normalization/normalization.repository';
import { NormalizationService } from './normalization/normalization.service';
import { ScopeRepository } from './scope/scope.repository';

export interface AuditLoaders {
  inventory: InventoryLoaders;
  normalization: NormalizationLoaders;
  machineInScope: DataLoader<string, boolean>;
}

export interface AuditServices {
  inventory: InventoryService;
  normalization: NormalizationService;
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
    normalization: createNormalizationLoaders(new NormalizationRepository(em)),
    machineInScope: new DataLoader<string, boolean>(async (ids) => {
      const inside = await scope.machinesInScope(actor.scopeUnitId, ids);
      return ids.map((id) => inside.has(id));
    }),
  };
  return {
    em,
    actor,
    requestId,
    log,
    loaders,
    services: {
      inventory: new InventoryService(em, loaders.inventory, loaders.machineInScope),
      normalization: new NormalizationService({ em, requestId, log }, loaders.normalization),
    },
  };
}
