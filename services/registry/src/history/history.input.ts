import { IsOptional, Length } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DateTimeScalar } from '@genuine/kit';

@InputType('AuditEventFilter', { description: 'Which audit events to list; all filters combine.' })
export class AuditEventFilter {
  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Only this kind of entity, e.g. `entitlement`.' })
  entity?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only events of this entity.' })
  entityId?: string | null;

  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Only this action, e.g. `assignment.revoke`.' })
  action?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Only events of this actor.' })
  actorId?: string | null;

  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Only events touching this unit or its descendants.' })
  orgUnitCode?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only events at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only events before this time.' })
  to?: Date | null;
}
