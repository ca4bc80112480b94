import { buildFederatedSchema, Money, PageInfo } from '@genuine/kit';
import { CampaignResolver, CampaignRoundResolver, SpotCheckResolver } from './campaign/campaign.resolver';
import { MachineComplianceResolver, OrgUnitComplianceResolver, resolveOrgUnitReference } from './compliance/compliance.resolver';
import { OrgUnitStub } from './compliance/compliance.type';
import { EditionStub } from './edition/edition.type';
import { AuditMachineResolver, StaleMachineResolver, resolveMachineReference } from './machine/machine.resolver';
import { MachineStub } from './machine/machine.type';
import { NormalizationResolver, RecognitionResolver } from './normalization/normalization.resolver';
import { AuditOrgUnitResolver } from './org-unit/org-unit.resolver';

/** The audit subgraph's schema and its SDL (committed as schema/audit.graphql). */
export function buildAuditSchema() {
  return buildFederatedSchema(
    {
      resolvers: [AuditOrgUnitResolver, AuditMachineResolver, StaleMachineResolver, NormalizationResolver, RecognitionResolver, OrgUnitComplianceResolver, MachineComplianceResolver, CampaignResolver, SpotCheckResolver, CampaignRoundResolver],
      orphanedTypes: [MachineStub, EditionStub, OrgUnitStub, Money, PageInfo],
      validate: true,
    },
    {
      Machine: { __resolveReference: resolveMachineReference },
      OrgUnit: { __resolveReference: resolveOrgUnitReference },
    },
  );
}
