import { IsOptional, Length, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { MachineKind } from '@genuine/kit';
import { ORG_UNIT_CODE } from '../org-unit/org-unit.input';

@InputType('RegisterMachineInput', { description: 'A machine to register; known machines are returned, not duplicated.' })
export class RegisterMachineInput {
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { description: 'Code of the owning unit.' })
  orgUnitCode!: string;

  @IsOptional()
  @Length(1, 255)
  @Field(() => String, { nullable: true, description: 'Network host name.' })
  hostname?: string | null;

  @IsOptional()
  @Length(1, 255)
  @Field(() => String, { nullable: true, description: 'Hardware serial number.' })
  serialNumber?: string | null;

  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'SMBIOS / system UUID.' })
  uuid?: string | null;

  @Field(() => MachineKind, { description: 'Form of the machine.' })
  kind!: MachineKind;

  @IsOptional()
  @Length(1, 200)
  @Field(() => String, { nullable: true, description: 'Name of the person who operates it.' })
  operator?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Departmental asset tag.' })
  assetTag?: string | null;
}

@InputType('MachineFilter', { description: 'Which machines to list.' })
export class MachineFilter {
  @IsOptional()
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Only machines of this unit (and its descendants by default).' })
  orgUnitCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include machines of descendant units; true by default.' })
  includeDescendants?: boolean | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of hostname, serial number, asset tag or uuid.' })
  search?: string | null;
}
