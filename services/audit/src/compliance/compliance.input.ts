import { IsOptional, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { SoftwareCategory } from '@genuine/kit';

@InputType('PositionFilter', { description: 'Which positions to list.' })
export class PositionFilterInput {
  @Field(() => SoftwareCategory, { nullable: true, description: 'Only editions of this category.' })
  category?: SoftwareCategory | null;

  @Field(() => ID, { nullable: true, description: 'Only this edition.' })
  editionId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only positions with uncovered installs.' })
  onlyShortfall?: boolean | null;
}

@ArgsType()
export class ExpiringArgs {
  @IsOptional()
  @Min(0)
  @Max(3650)
  @Field(() => Int, { nullable: true, description: 'Days ahead, 90 by default.' })
  days?: number | null;

  @IsOptional()
  @Min(1)
  @Max(500)
  @Field(() => Int, { nullable: true, description: 'At most this many, 100 by default.' })
  first?: number | null;
}
