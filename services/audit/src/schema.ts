import { buildFederatedSchema, PageInfo } from '@genuine/kit';
import { AuditMachineResolver, resolveMachineReference } from './machine/machine.resolver';
import { MachineStub } from './machine/machine.type';

/** The audit subgraph's schema and its SDL (committed as schema/audit.graphql). */
export function buildAuditSchema() {
  return buildFederatedSchema(
    { resolvers: [AuditMachineResolver], orphanedTypes: [MachineStub, PageInfo], validate: true },
    { Machine: { __resolveReference: resolveMachineReference } },
  );
}
