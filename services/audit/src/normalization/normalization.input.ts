import { IsBoolean, IsInt, IsOptional, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MAX_PATTERN_LENGTH } from './title-matcher';
import { MAX_RULE_PRIORITY, MIN_RULE_PRIORITY } from './normalization.service';

const MAX_TITLE_PART = 1024;

@InputType('AddNormalizationRuleInput', { description: 'A rule to add; it is applied to the stored titles it matches at once.' })
export class AddNormalizationRuleInput {
  @IsOptional()
  @Length(1, MAX_PATTERN_LENGTH)
  @Field(() => String, { nullable: true, description: 'Case-insensitive regular expression on the name; omitted matches anything.' })
  namePattern?: string | null;

  @IsOptional()
  @Length(1, MAX_PATTERN_LENGTH)
  @Field(() => String, { nullable: true, description: 'Case-insensitive regular expression on the publisher; omitted matches anything.' })
  publisherPattern?: string | null;

  @IsOptional()
  @Length(1, MAX_PATTERN_LENGTH)
  @Field(() => String, { nullable: true, description: 'Case-insensitive regular expression on the version; omitted matches anything.' })
  versionPattern?: string | null;

  @IsOptional()
  @IsUUID()
  @Field(() => ID, { nullable: true, description: 'The edition matching titles are; required unless ignore is true.' })
  editionId?: string | null;

  @IsOptional()
  @IsBoolean()
  @Field(() => Boolean, { nullable: true, description: 'Mark matching titles IGNORE (not licensing-relevant) instead of mapping them.' })
  ignore?: boolean | null;

  @IsOptional()
  @IsInt()
  @Min(MIN_RULE_PRIORITY)
  @Max(MAX_RULE_PRIORITY)
  @Field(() => Int, { nullable: true, description: 'Higher wins; 800 by default (above the shipped product rules, below the shipped IGNORE rules at 900-1000).' })
  priority?: number | null;
}

@InputType('RemoveNormalizationRuleInput', { description: 'A rule to remove; the titles it decided are re-decided by the remaining rules.' })
export class RemoveNormalizationRuleInput {
  @IsUUID()
  @Field(() => ID, { description: 'The rule.' })
  id!: string;
}

@InputType('ReplayNormalizationInput', { description: 'Which stored titles to re-decide with the current rules.' })
export class ReplayNormalizationInput {
  @Field(() => Boolean, { nullable: true, description: 'Only titles no rule matches today; false by default (every title).' })
  onlyUnrecognized?: boolean | null;
}

@InputType('NormalizationRuleFilter', { description: 'Which rules to list.' })
export class NormalizationRuleFilter {
  @Field(() => Boolean, { nullable: true, description: 'Include removed rules; false by default.' })
  includeRemoved?: boolean | null;

  @IsOptional()
  @IsUUID()
  @Field(() => ID, { nullable: true, description: 'Only rules mapping to this edition.' })
  editionId?: string | null;
}

@InputType('UnrecognizedTitleFilter', { description: 'Which unrecognized titles to list.' })
export class UnrecognizedTitleFilter {
  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Count only machines of this unit and its descendants; your whole scope when omitted.' })
  orgUnitCode?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of the name or publisher.' })
  search?: string | null;
}

@ArgsType()
export class RecognizeArgs {
  @Length(1, MAX_TITLE_PART)
  @Field(() => String, { description: 'Title name as an agent reports it.' })
  rawName!: string;

  @IsOptional()
  @MaxLength(MAX_TITLE_PART)
  @Field(() => String, { nullable: true, description: 'Version as reported.' })
  rawVersion?: string | null;

  @IsOptional()
  @MaxLength(MAX_TITLE_PART)
  @Field(() => String, { nullable: true, description: 'Publisher as reported.' })
  rawPublisher?: string | null;
}
