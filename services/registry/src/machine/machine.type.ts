import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, DateTimeScalar, MachineKind } from '@genuine/kit';
import { MachineStatus } from './machine.entity';
import type { OrgUnitType } from '../org-unit/org-unit.type';
import type { MachineRecord } from './machine.repository';

registerEnumType(MachineStatus, {
  name: 'MachineStatus',
  description: 'Whether a machine is in service.',
  valuesConfig: { ACTIVE: { description: 'In service.' }, RETIRED: { description: 'Retired; kept for history.' } },
});

/** A computer registered as a hardware asset of an org unit. */
@Directive('@key(fields: "id")')
@ObjectType('Machine', { description: 'A computer registered as a hardware asset of an org unit.', simpleResolvers: true })
export class MachineType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Network host name.' })
  hostname!: string | null;

  @Field(() => String, { nullable: true, description: 'Hardware serial number.' })
  serialNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'SMBIOS / system UUID as agents report it.' })
  uuid!: string | null;

  @Field(() => String, { nullable: true, description: 'Departmental asset tag.' })
  assetTag!: string | null;

  @Field(() => MachineKind, { description: 'Form of the machine.' })
  kind!: MachineKind;

  @Field(() => String, { nullable: true, description: 'Name of the person who operates it.' })
  operator!: string | null;

  @Field(() => MachineStatus, { description: 'In service or retired.' })
  status!: MachineStatus;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was retired.' })
  retiredAt!: string | null;

  /** Not a GraphQL field: carried for the operatorPerson resolver. */
  operatorPersonId!: string | null;

  /** Not a GraphQL field: carried for the orgUnit resolver. */
  orgUnitId!: string;

  /**
   * Not a GraphQL field: the unit this machine was listed under when the caller already sees that unit, so its
   * `orgUnit` needs no lookup (a dashboard page lists a thousand machines under fifty units).
   */
  listedUnder?: OrgUnitType;
}

export function toMachineType(record: MachineRecord): MachineType {
  return Object.assign(new MachineType(), record);
}

/** A machine listed under `unit`; `unit` null when the caller may not read units (its `orgUnit` is then looked up). */
export function toListedMachineType(record: MachineRecord, unit: OrgUnitType | null): MachineType {
  const machine = Object.assign(new MachineType(), record);
  if (unit) machine.listedUnder = unit;
  return machine;
}

export const MachineConnection = ConnectionType(MachineType, 'MachineConnection', 'machine');

@ObjectType('MachineImportError', { description: 'A line of an imported spreadsheet that could not be imported, and why.' })
export class MachineImportErrorType {
  @Field(() => Int, { description: 'Line number in the file; the header is line 1.' })
  line!: number;

  @Field(() => String, { description: 'Why the line was refused.' })
  reason!: string;
}

@ObjectType('MachineImportResult', { description: 'What a spreadsheet import did.' })
export class MachineImportResultType {
  @Field(() => Int, { description: 'Machines registered or matched; 0 when a bad line stopped the import.' })
  imported!: number;

  @Field(() => [MachineImportErrorType], { description: 'Every bad line with its reason, in line order.' })
  errors!: MachineImportErrorType[];

  @Field(() => [MachineType], { description: 'The imported machines in line order, at most the first 500.' })
  machines!: MachineType[];
}
