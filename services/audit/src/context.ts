import type { Actor, Logger, RequestContext } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { createCampaignLoaders, type CampaignLoaders } from './campaign/campaign.loader';
import { CampaignRepository } from './campaign/campaign.repository';
import { CampaignService } from './campaign/campaign.service';
import { createComplianceLoaders, type ComplianceLoaders } from './compliance/compliance.loader';
import { ComplianceRepository } from './compliance/compliance.repository';
import { ComplianceService } from './compliance/compliance.service';
import { createInventoryLoaders, type InventoryLoaders } from './inventory/inventory.loader';
import { InventoryRepository } from './inventory/inventory.repository';
import { InventoryService } from './inventory/inventory.service';
import { createNormalizationLoaders, type NormalizationLoaders } from './normalization/normalization.loader';
import { NormalizationRepository } from './normalization/normalization.repository';
import { NormalizationService } from './normalization/normalization.service';
import { OrgUnitService } from './org-unit/org-unit.service';
import { ScopeRepository } from './scope/scope.repository';

export interface AuditLoaders {
  inventory: InventoryLoaders;
  normalization: NormalizationLoaders;
  machineInScope: DataLoader<string, boolean>;
  compliance: ComplianceLoaders;
  campaign: CampaignLoaders;
}

export interface AuditServices {
  inventory: InventoryService;
  normalization: NormalizationService;
  compliance: ComplianceService;
  campaign: CampaignService;
  orgUnits: OrgUnitService;
}

export interface AuditContext extends RequestContext<AuditLoaders> {
  readonly services: AuditServices;
}

/** Everything per request: a forked entity manager, fresh loaders, and services bound to them. */
export function createAuditContext(args: { em: EntityManager; actor: Actor; requestId: string; log: Logger }): AuditContext {
  const { em, actor, requestId, log } = args;
  const scope = new ScopeRepository(em);
  const complianceRepository = new ComplianceRepository(em);
  const loaders: AuditLoaders = {
    inventory: createInventoryLoaders(new InventoryRepository(em)),
    normalization: createNormalizationLoaders(new NormalizationRepository(em)),
    machineInScope: new DataLoader<string, boolean>(async (ids) => {
      const inside = await scope.machinesInScope(actor.scopeUnitId, ids);
      return ids.map((id) => inside.has(id));
    }),
    compliance: createComplianceLoaders(complianceRepository, (ids) => complianceRepository.unitsInScope(actor.scopeUnitId, ids)),
    campaign: createCampaignLoaders(new CampaignRepository(em), actor.scopeUnitId),
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
      compliance: new ComplianceService(em, loaders.compliance, loaders.machineInScope),
      campaign: new CampaignService({ em, log }, loaders.campaign),
      orgUnits: new OrgUnitService(scope, loaders.compliance.unitInScope),
    },
  };
}
