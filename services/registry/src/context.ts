import type { Actor, Logger, RequestContext, SecretBox } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { ApiTokenService } from './api-token/api-token.service';
import { createAssignmentLoaders, type AssignmentLoaders } from './assignment/assignment.loader';
import { AssignmentRepository } from './assignment/assignment.repository';
import { AssignmentService } from './assignment/assignment.service';
import { createCatalogueLoaders, type CatalogueLoaders } from './catalogue/catalogue.loader';
import { CatalogueRepository } from './catalogue/catalogue.repository';
import { CatalogueService } from './catalogue/catalogue.service';
import { createEntitlementLoaders, type EntitlementLoaders } from './entitlement/entitlement.loader';
import { EntitlementRepository } from './entitlement/entitlement.repository';
import { EntitlementService } from './entitlement/entitlement.service';
import { HistoryService } from './history/history.service';
import { createLicenseKeyLoaders, type LicenseKeyLoaders } from './license-key/license-key.loader';
import { LicenseKeyRepository } from './license-key/license-key.repository';
import { LicenseKeyService } from './license-key/license-key.service';
import { createMachineLoaders, type MachineLoaders } from './machine/machine.loader';
import { MachineRepository } from './machine/machine.repository';
import { MachineService } from './machine/machine.service';
import { createOrgUnitLoaders, type OrgUnitLoaders } from './org-unit/org-unit.loader';
import { OrgUnitRepository } from './org-unit/org-unit.repository';
import { OrgUnitService } from './org-unit/org-unit.service';
import { createPersonLoaders, type PersonLoaders } from './person/person.loader';
import { PersonRepository } from './person/person.repository';
import { PersonService } from './person/person.service';
import { createPurchaseLoaders, type PurchaseLoaders } from './purchase/purchase.loader';
import { PurchaseRepository } from './purchase/purchase.repository';
import { PurchaseService } from './purchase/purchase.service';

export interface RegistryLoaders {
  orgUnits: OrgUnitLoaders & { inScope: DataLoader<string, boolean> };
  machines: MachineLoaders;
  catalogue: CatalogueLoaders;
  entitlements: EntitlementLoaders;
  purchases: PurchaseLoaders;
  assignments: AssignmentLoaders;
  people: PersonLoaders;
  licenseKeys: LicenseKeyLoaders;
}

export interface RegistryServices {
  orgUnits: OrgUnitService;
  machines: MachineService;
  catalogue: CatalogueService;
  entitlements: EntitlementService;
  purchases: PurchaseService;
  assignments: AssignmentService;
  people: PersonService;
  licenseKeys: LicenseKeyService;
  history: HistoryService;
  apiTokens: ApiTokenService;
}

export interface RegistryContext extends RequestContext<RegistryLoaders> {
  readonly services: RegistryServices;
}

export interface RegistryContextArgs {
  em: EntityManager;
  actor: Actor;
  requestId: string;
  log: Logger;
  /** Seals license keys (GENUINE_LICENSE_KEY_SECRET); without it, keys can be neither added nor revealed. */
  secretBox?: SecretBox | null;
}

/** Everything per request: a forked entity manager, fresh loaders, and services bound to them. */
export function createRegistryContext(args: RegistryContextArgs): RegistryContext {
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
    catalogue: createCatalogueLoaders(new CatalogueRepository(em)),
    entitlements: createEntitlementLoaders(new EntitlementRepository(em)),
    purchases: createPurchaseLoaders(new PurchaseRepository(em)),
    assignments: createAssignmentLoaders(new AssignmentRepository(em)),
    people: createPersonLoaders(new PersonRepository(em)),
    licenseKeys: createLicenseKeyLoaders(new LicenseKeyRepository(em)),
  };
  const deps = { em, requestId, log };
  const orgUnits = new OrgUnitService(deps, loaders.orgUnits);
  const machines = new MachineService(deps, loaders.machines, orgUnits);
  const catalogue = new CatalogueService(deps, loaders.catalogue);
  const entitlements = new EntitlementService(deps, loaders.entitlements, orgUnits);
  const purchases = new PurchaseService(deps, loaders.purchases, orgUnits);
  const people = new PersonService(deps, loaders.people, orgUnits);
  const assignments = new AssignmentService(deps, loaders.assignments, { orgUnits, entitlements, machines, people });
  const licenseKeys = new LicenseKeyService(deps, loaders.licenseKeys, entitlements, args.secretBox ?? null);
  const history = new HistoryService(deps, orgUnits);
  const apiTokens = new ApiTokenService(deps, orgUnits);
  return {
    em,
    actor,
    requestId,
    log,
    loaders,
    services: { orgUnits, machines, catalogue, entitlements, purchases, assignments, people, licenseKeys, history, apiTokens },
  };
}
