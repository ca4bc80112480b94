import type { NonEmptyArray } from 'type-graphql';
import { buildFederatedSchema, Money, PageInfo } from '@genuine/kit';
import { ApiTokenResolver } from './api-token/api-token.resolver';
import { AssignmentResolver } from './assignment/assignment.resolver';
import { EditionResolver, ProductResolver, PublisherResolver } from './catalogue/catalogue.resolver';
import { EntitlementResolver } from './entitlement/entitlement.resolver';
import { HistoryResolver } from './history/history.resolver';
import { LicenseKeyResolver } from './license-key/license-key.resolver';
import { PersonResolver } from './person/person.resolver';
import { PurchaseResolver, SpendRowResolver } from './purchase/purchase.resolver';
import { resolveEditionReference, resolveProductReference } from './catalogue/catalogue.reference';
import { MachineResolver, OrgUnitMachinesResolver } from './machine/machine.resolver';
import { resolveMachineReference } from './machine/machine.reference';
import { OrgUnitResolver } from './org-unit/org-unit.resolver';
import { resolveOrgUnitReference } from './org-unit/org-unit.reference';

export const registryResolvers = [
  OrgUnitResolver,
  MachineResolver,
  OrgUnitMachinesResolver,
  ProductResolver,
  EditionResolver,
  PublisherResolver,
  PurchaseResolver,
  SpendRowResolver,
  EntitlementResolver,
  AssignmentResolver,
  PersonResolver,
  LicenseKeyResolver,
  HistoryResolver,
  ApiTokenResolver,
] as const;

/** The registry subgraph's schema and its SDL (committed as schema/registry.graphql). */
export function buildRegistrySchema(extraResolvers: Array<new () => object> = []) {
  return buildFederatedSchema(
    {
      resolvers: [...registryResolvers, ...extraResolvers] as NonEmptyArray<new () => object>,
      orphanedTypes: [Money, PageInfo],
      validate: true,
    },
    {
      OrgUnit: { __resolveReference: resolveOrgUnitReference },
      Machine: { __resolveReference: resolveMachineReference },
      Product: { __resolveReference: resolveProductReference },
      Edition: { __resolveReference: resolveEditionReference },
    },
  );
}
