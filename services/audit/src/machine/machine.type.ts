import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '@genuine/kit';
import type { InstallationRecord } from '../inventory/inventory.repository';

/** The registry's Machine, extended here with what inventories say about it. */
@Directive('@key(fields: "id")')
@ObjectType('Machine', { description: 'A computer registered as a hardware asset of an org unit.' })
export class MachineStub {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;
}

@ObjectType('Installation', { description: 'A software title found installed on a machine by an inventory agent.' })
export class InstallationType {
  @Field(() => String, { description: 'Title exactly as the agent reported it.' })
  rawName!: string;

  @Field(() => String, { nullable: true, description: 'Version as reported.' })
  rawVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'Publisher as reported.' })
  rawPublisher!: string | null;
}

export function toInstallationType(record: InstallationRecord): InstallationType {
  return Object.assign(new InstallationType(), {
    rawName: record.rawName,
    rawVersion: record.rawVersion,
    rawPublisher: record.rawPublisher,
  });
}

export const InstallationConnection = ConnectionType(InstallationType, 'InstallationConnection', 'installation');
