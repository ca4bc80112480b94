import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType, DateTimeScalar } from '@genuine/kit';
import { JSONObjectResolver } from 'graphql-scalars';
import { GraphQLScalarType } from 'graphql';
import type { AuditEventRecord } from './history.repository';

export const JSONObjectScalar = new GraphQLScalarType({
  ...JSONObjectResolver.toConfig(),
  name: 'JSONObject',
  description: 'A JSON object, e.g. the state of an entity before or after a change.',
});

@ObjectType('AuditEvent', { description: 'One entry of the append-only audit trail: who did what to which entity, before and after.' })
export class AuditEventType {
  @Field(() => ID, { description: 'Sequence number; later events have larger ones.' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When it happened.' })
  occurredAt!: string;

  @Field(() => String, { description: 'Who did it (token or user id).' })
  actorId!: string;

  @Field(() => String, { description: 'Their role at the time.' })
  actorRole!: string;

  @Field(() => String, { description: '`entity.verb`, e.g. `entitlement.transfer`.' })
  action!: string;

  @Field(() => String, { description: 'The kind of entity, e.g. `entitlement`.' })
  entity!: string;

  @Field(() => ID, { description: 'The entity changed.' })
  entityId!: string;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Its state before the change; null for a creation.' })
  before!: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Its state after the change.' })
  after!: Record<string, unknown> | null;

  @Field(() => String, { description: 'Id of the request that made the change (the `x-request-id` header).' })
  requestId!: string;
}

export function toAuditEventType(record: AuditEventRecord): AuditEventType {
  return Object.assign(new AuditEventType(), {
    id: record.id,
    occurredAt: record.occurredAt,
    actorId: record.actorId,
    actorRole: record.actorRole,
    action: record.action,
    entity: record.entity,
    entityId: record.entityId,
    before: record.before,
    after: record.after,
    requestId: record.requestId,
  });
}

export const AuditEventConnection = ConnectionType(AuditEventType, 'AuditEventConnection', 'audit event');
