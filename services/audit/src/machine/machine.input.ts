import { IsInt, IsOptional, Length, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { MAX_STALE_DAYS } from '../inventory/inventory.service';

@InputType('StaleMachineFilter', { description: 'Which machines count as stale.' })
export class StaleMachineFilter {
  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Only machines of this unit and its descendants; your whole scope when omitted.' })
  orgUnitCode?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STALE_DAYS)
  @Field(() => Int, { nullable: true, description: 'Machines whose last inventory is older than this many days; 30 by default.' })
  notSeenForDays?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Include machines that never sent an inventory; true by default.' })
  includeNeverSeen?: boolean | null;
}
