import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '@genuine/kit';
import type { PersonRecord } from './person.repository';

@ObjectType('Person', { description: 'A person of an org unit: operator of machines and holder of per-user seats.' })
export class PersonType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Name, unique within the unit.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Employee number, unique.' })
  employeeNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail address.' })
  email!: string | null;

  orgUnitId!: string;
}

export function toPersonType(record: PersonRecord): PersonType {
  return Object.assign(new PersonType(), record);
}

export const PersonConnection = ConnectionType(PersonType, 'PersonConnection', 'person');
