import { IsOptional, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { DateScalar } from '@genuine/kit';
import { ORG_UNIT_CODE } from '../org-unit/org-unit.input';

@InputType('EntitlementFilter', { description: 'Which entitlements to list.' })
export class EntitlementFilter {
  @IsOptional()
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Owned by this unit (and its descendants by default).' })
  orgUnitCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include descendant units; true by default.' })
  includeDescendants?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Only of this edition.' })
  editionId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only of editions of this product.' })
  productId?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Only those valid on this day (not retired).' })
  activeOn?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include retired ones; false by default.' })
  includeRetired?: boolean | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Only with this asset tag.' })
  assetTag?: string | null;
}

@InputType('UpdateEntitlementInput', { description: 'Changes to an entitlement; omitted fields keep their value.' })
export class UpdateEntitlementInput {
  @IsUUID()
  @Field(() => ID, { description: 'The entitlement.' })
  id!: string;

  @IsOptional()
  @Min(1)
  @Max(10_000_000)
  @Field(() => Int, { nullable: true, description: 'New number of seats; never below the seats assigned.' })
  quantity?: number | null;

  @Field(() => DateScalar, { nullable: true, description: 'New last day of validity.' })
  validUntil?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'True removes the end of validity.' })
  clearValidUntil?: boolean | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'New departmental asset tag.' })
  assetTag?: string | null;
}

@InputType('RetireEntitlementInput', { description: 'The entitlement to retire.' })
export class RetireEntitlementInput {
  @IsUUID()
  @Field(() => ID, { description: 'The entitlement.' })
  id!: string;
}

@InputType('TransferEntitlementInput', { description: 'An entitlement and the unit it goes to.' })
export class TransferEntitlementInput {
  @IsUUID()
  @Field(() => ID, { description: 'The entitlement.' })
  entitlementId!: string;

  @Matches(ORG_UNIT_CODE, { message: 'toOrgUnitCode is not a valid org unit code' })
  @Field(() => String, { description: 'Code of the new owning unit.' })
  toOrgUnitCode!: string;
}

@InputType('BindOemEntitlementInput', { description: 'An OEM entitlement and the machine it came with.' })
export class BindOemEntitlementInput {
  @IsUUID()
  @Field(() => ID, { description: 'The OEM entitlement: type OEM, quantity 1, PER_DEVICE, ASSIGNED, not yet bound.' })
  entitlementId!: string;

  @IsUUID()
  @Field(() => ID, { description: "The machine, active and in the owning unit's subtree." })
  machineId!: string;
}

@InputType('UnbindOemEntitlementInput', { description: 'The OEM entitlement to release from its machine.' })
export class UnbindOemEntitlementInput {
  @IsUUID()
  @Field(() => ID, { description: 'The entitlement.' })
  entitlementId!: string;
}
