import { ArrayMaxSize, ArrayMinSize, IsOptional, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
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

@InputType('RegisterMachinesInput', { description: 'Machines to register in one call.' })
export class RegisterMachinesInput {
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Field(() => [RegisterMachineInput], { description: '1 to 500 machines; known ones are returned, not duplicated.' })
  machines!: RegisterMachineInput[];
}

@InputType('ImportMachinesInput', { description: 'The self-check spreadsheet as CSV.' })
export class ImportMachinesInput {
  @Length(1, 2_000_000)
  @Field(() => String, {
    description: 'CSV text: a header row naming the columns (unit code, asset tag, hostname, serial, kind, operator; English or Chinese names), then one machine per line; at most 5000 lines.',
  })
  csv!: string;

  @Field(() => Boolean, { nullable: true, description: 'Import the good lines even when some are bad; false (all or nothing) by default.' })
  importValidRows?: boolean | null;
}

@InputType('MoveMachineInput', { description: 'A machine and the unit it moves to.' })
export class MoveMachineInput {
  @IsUUID()
  @Field(() => ID, { description: 'The machine.' })
  machineId!: string;

  @Matches(ORG_UNIT_CODE, { message: 'toOrgUnitCode is not a valid org unit code' })
  @Field(() => String, { description: 'Code of the new unit.' })
  toOrgUnitCode!: string;
}

@InputType('RetireMachineInput', { description: 'The machine to retire.' })
export class RetireMachineInput {
  @IsUUID()
  @Field(() => ID, { description: 'The machine.' })
  machineId!: string;
}

@InputType('SetMachineOperatorInput', { description: 'A machine and the person operating it.' })
export class SetMachineOperatorInput {
  @IsUUID()
  @Field(() => ID, { description: 'The machine.' })
  machineId!: string;

  @IsOptional()
  @IsUUID()
  @Field(() => ID, { nullable: true, description: "A person of the machine's unit; null clears the operator." })
  personId?: string | null;
}
