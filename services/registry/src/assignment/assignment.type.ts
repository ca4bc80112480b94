import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType, DateTimeScalar } from '@genuine/kit';
import type { AssignmentRecord } from './assignment.repository';

@ObjectType('Assignment', { description: 'A seat of an entitlement held by a machine or a person; revoked seats stay for history.' })
export class AssignmentType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When the seat was assigned.' })
  assignedAt!: string;

  @Field(() => String, { description: 'Who assigned it.' })
  assignedBy!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was revoked; null while active.' })
  revokedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Who revoked it.' })
  revokedBy!: string | null;

  @Field(() => Boolean, { description: 'Whether the seat is held now.' })
  active!: boolean;

  entitlementId!: string;
  machineId!: string | null;
  personId!: string | null;
}

@ObjectType('BulkAssignResult', { description: 'The seats a bulk assignment gave, and how many machines still lack one.' })
export class BulkAssignResultType {
  @Field(() => [AssignmentType], { description: 'The new seats, by hostname of their machine.' })
  assigned!: AssignmentType[];

  @Field(() => Int, { description: "Active machines of the subtree still without a seat of the product (the entitlement's seats ran out)." })
  stillLacking!: number;
}

export function toAssignmentType(record: AssignmentRecord): AssignmentType {
  return Object.assign(new AssignmentType(), { ...record, active: record.revokedAt === null });
}

export const AssignmentConnection = ConnectionType(AssignmentType, 'AssignmentConnection', 'assignment');
