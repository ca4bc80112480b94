import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { DateScalar, SoftwareCategory } from '@genuine/kit';
import { CampaignPhase, InspectionFinding } from './campaign.type';

/** Counts on the self-check form: a province has well under ten million computers. */
const MAX_COUNT = 10_000_000;

@InputType('CreateCampaignInput', { description: 'A campaign to start, in SELF_CHECK.' })
export class CreateCampaignInput {
  @Length(1, 200)
  @Field(() => String, { description: 'Name of the campaign.' })
  name!: string;

  @Length(1, 64)
  @Field(() => String, { description: 'Code of the org unit whose subtree the campaign covers.' })
  rootUnitCode!: string;

  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @Field(() => [SoftwareCategory], { nullable: true, description: 'Categories to track; OPERATING_SYSTEM, OFFICE and ANTIVIRUS by default.' })
  trackedCategories?: SoftwareCategory[] | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  @Field(() => Int, { nullable: true, description: 'Depth below the root of the units expected to report; 1 (the root\u2019s children) by default, 0 for the root itself.' })
  reportingDepth?: number | null;

  @Field(() => DateScalar, { description: 'Last day for self-reports.' })
  selfCheckDeadline!: string;

  @Field(() => DateScalar, { description: 'Last day of remediation; not before selfCheckDeadline.' })
  remediationDeadline!: string;

  @Field(() => DateScalar, { description: 'Last day of acceptance; not before remediationDeadline.' })
  acceptanceDeadline!: string;
}

@InputType('AdvanceCampaignPhaseInput', { description: 'Moves a campaign to its next phase.' })
export class AdvanceCampaignPhaseInput {
  @IsUUID()
  @Field(() => ID, { description: 'The campaign.' })
  campaignId!: string;

  @Field(() => CampaignPhase, { description: 'The phase to move to; must be the one after the current phase, so a repeated request fails instead of skipping a phase.' })
  to!: CampaignPhase;
}

@InputType('LicensedCountInput', { description: 'Licensed computers in one tracked category.' })
export class LicensedCountInput {
  @Field(() => SoftwareCategory, { description: 'The category.' })
  category!: SoftwareCategory;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  @Field(() => Int, { description: 'Computers with licensed software of the category; at most computers.' })
  count!: number;
}

@InputType('SubmitSelfReportInput', { description: "A unit's self-check form; submitting again replaces the current revision (kept as history)." })
export class SubmitSelfReportInput {
  @IsUUID()
  @Field(() => ID, { description: 'The campaign.' })
  campaignId!: string;

  @Length(1, 64)
  @Field(() => String, { description: 'Code of the reporting unit; its figures cover its descendants too.' })
  orgUnitCode!: string;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  @Field(() => Int, { description: 'Computers in use.' })
  computers!: number;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  @Field(() => Int, { description: 'Of those, desktops; desktops + laptops must not exceed computers.' })
  desktops!: number;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  @Field(() => Int, { description: 'Of those, laptops.' })
  laptops!: number;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  @Field(() => Int, { description: 'People operating the computers.' })
  operators!: number;

  @ArrayMaxSize(7)
  @ValidateNested({ each: true })
  @Field(() => [LicensedCountInput], { description: 'Licensed computers per tracked category: every tracked category exactly once.' })
  licensed!: LicensedCountInput[];
}

@InputType('DrawSpotCheckInput', { description: "A spot check to draw over a unit's machines (with its descendants')." })
export class DrawSpotCheckInput {
  @IsUUID()
  @Field(() => ID, { description: 'The campaign.' })
  campaignId!: string;

  @Length(1, 64)
  @Field(() => String, { description: 'Code of the unit to sample.' })
  orgUnitCode!: string;

  @IsInt()
  @Min(1)
  @Max(500)
  @Field(() => Int, { description: 'Machines to draw, 1 to 500.' })
  sampleSize!: number;

  @IsOptional()
  @Length(1, 100)
  @Matches(/^[\x20-\x7e]+$/, { message: 'seed must be printable ASCII' })
  @Field(() => String, { nullable: true, description: 'Seed of the draw; the same seed over the same machines gives the same sample. Random when omitted.' })
  seed?: string | null;
}

@InputType('RecordSpotCheckFindingInput', { description: "An inspector's finding on a sampled machine; recording it again replaces it." })
export class RecordSpotCheckFindingInput {
  @IsUUID()
  @Field(() => ID, { description: 'The spot check.' })
  spotCheckId!: string;

  @IsUUID()
  @Field(() => ID, { description: 'A machine of its sample.' })
  machineId!: string;

  @Field(() => SoftwareCategory, { description: 'A category the campaign tracks.' })
  category!: SoftwareCategory;

  @Field(() => InspectionFinding, { description: 'What the inspector found.' })
  finding!: InspectionFinding;

  @IsOptional()
  @MaxLength(2000)
  @Field(() => String, { nullable: true, description: 'A note, e.g. the key seen on the certificate of authenticity.' })
  note?: string | null;
}

@InputType('PublishRoundInput', { description: 'Publishes the next round of a campaign, freezing its figures.' })
export class PublishRoundInput {
  @IsUUID()
  @Field(() => ID, { description: 'The campaign.' })
  campaignId!: string;

  @IsOptional()
  @Length(1, 200)
  @Field(() => String, { nullable: true, description: 'A label, e.g. "self-check results".' })
  label?: string | null;
}

@InputType('CampaignFilter', { description: 'Which campaigns to list.' })
export class CampaignFilter {
  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Only campaigns covering this unit (rooted at it or an ancestor).' })
  orgUnitCode?: string | null;

  @Field(() => CampaignPhase, { nullable: true, description: 'Only campaigns in this phase.' })
  phase?: CampaignPhase | null;
}

@ArgsType()
export class SelfReportsArgs {
  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Only this unit.' })
  orgUnitCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include superseded revisions; false by default.' })
  includeHistory?: boolean | null;
}
