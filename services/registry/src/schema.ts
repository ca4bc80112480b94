import type { NonEmptyArray } from 'type-graphql';
import { buildFederatedSchema, Money, PageInfo } from '@genuine/kit';
import { MachineResolver, OrgUnitMachinesResolver } from './machine/machine.resolver';
import { resolveMachineReference } from './machine/machine.reference';
import { OrgUnitResolver } from './org-unit/org-unit.resolver';
import { resolveOrgUnitReference } from './org-unit/org-unit.reference';

export const registryResolvers = [OrgUnitResolver, MachineResolver, OrgUnitMachinesResolver] as const;

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
    },
  );
}
