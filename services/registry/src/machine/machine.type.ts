import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, MachineKind } from '@genuine/kit';
import { MachineStatus } from './machine.entity';
import type { MachineRecord } from './machine.repository';

registerEnumType(MachineStatus, {
  name: 'MachineStatus',
  description: 'Whether a machine is in service.',
  valuesConfig: { ACTIVE: { description: 'In service.' }, RETIRED: { description: 'Retired; kept for history.' } },
});

/** A computer registered as a hardware asset of an org unit. */
@Directive('@key(fields: "id")')
@ObjectType('Machine', { description: 'A computer registered as a hardware asset of an org unit.' })
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

  /** Not a GraphQL field: carried for the orgUnit resolver. */
  orgUnitId!: string;
}

export function toMachineType(record: MachineRecord): MachineType {
  return Object.assign(new MachineType(), record);
}

export const MachineConnection = ConnectionType(MachineType, 'MachineConnection', 'machine');
