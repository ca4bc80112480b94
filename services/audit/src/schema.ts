import { buildFederatedSchema, PageInfo } from '@genuine/kit';
import { EditionStub } from './edition/edition.type';
import { AuditMachineResolver, StaleMachineResolver, resolveMachineReference } from './machine/machine.resolver';
import { MachineStub } from './machine/machine.type';
import { NormalizationResolver, RecognitionResolver } from './normalization/normalization.resolver';

/** The audit subgraph's schema and its SDL (committed as schema/audit.graphql). */
export function buildAuditSchema() {
  return buildFederatedSchema(
    {
      resolvers: [AuditMachineResolver, StaleMachineResolver, NormalizationResolver, RecognitionResolver],
      orphanedTypes: [MachineStub, EditionStub, PageInfo],
      validate: true,
    },
    { Machine: { __resolveReference: resolveMachineReference } },
  );
}
