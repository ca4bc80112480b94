import { IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { ORG_UNIT_CODE } from '../org-unit/org-unit.input';

@InputType('AssignLicenseInput', { description: 'A seat to give: to a machine (per-device) or to a person (per-user).' })
export class AssignLicenseInput {
  @IsUUID()
  @Field(() => ID, { description: 'The entitlement whose seat is given.' })
  entitlementId!: string;

  @IsOptional()
  @IsUUID()
  @Field(() => ID, { nullable: true, description: 'The machine; give this or personId.' })
  machineId?: string | null;

  @IsOptional()
  @IsUUID()
  @Field(() => ID, { nullable: true, description: 'The person, for a PER_USER entitlement; give this or machineId.' })
  personId?: string | null;
}

@InputType('RevokeAssignmentInput', { description: 'The seat to revoke.' })
export class RevokeAssignmentInput {
  @IsUUID()
  @Field(() => ID, { description: 'The assignment.' })
  assignmentId!: string;
}

@InputType('AssignLicenseToSubtreeInput', { description: "Seats for every machine of a subtree lacking one of the entitlement's product." })
export class AssignLicenseToSubtreeInput {
  @IsUUID()
  @Field(() => ID, { description: 'The entitlement whose free seats are given.' })
  entitlementId!: string;

  @IsOptional()
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Root of the machines; the owning unit when omitted.' })
  orgUnitCode?: string | null;

  @IsOptional()
  @Min(1)
  @Max(100_000)
  @Field(() => Int, { nullable: true, description: 'At most this many new seats; every free seat when omitted.' })
  limit?: number | null;
}
