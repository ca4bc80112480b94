import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateScalar, PageArgs, encodeCursor, pageArgs, toConnection } from '@genuine/kit';
import { OrgUnitStub } from '../compliance/compliance.type';
import type { AuditContext } from '../context';
import {
  AdvanceCampaignPhaseInput,
  CampaignFilter,
  CreateCampaignInput,
  DrawSpotCheckInput,
  PublishRoundInput,
  RecordSpotCheckFindingInput,
  SelfReportsArgs,
  SubmitSelfReportInput,
} from './campaign.input';
import type { CampaignCursor, CampaignRecord, SelfReportCursor, SelfReportRecord, SpotCheckRecord, UnitComparison, UnitProgressRecord } from './campaign.repository';
import { today } from './campaign.service';
import {
  CampaignConnection,
  CampaignRoundConnection,
  CampaignRoundType,
  CampaignType,
  CampaignUnitProgressConnection,
  SampledMachineType,
  SelfReportConnection,
  SelfReportType,
  SpotCheckConnection,
  SpotCheckDiscrepancyType,
  SpotCheckType,
  UnitDiscrepancyConnection,
  UnitDiscrepancyType,
  toCampaignType,
  toRoundType,
  toSampledMachines,
  toSelfReportType,
  toSpotCheckDiscrepancies,
  toSpotCheckType,
  toUnitDiscrepancyType,
  toUnitProgressType,
} from './campaign.type';

const unitCursor = (u: { orgUnitId: string }) => encodeCursor(u.orgUnitId);

@Resolver(() => CampaignType)
export class CampaignResolver {
  @Query(() => CampaignType, { description: 'A campaign covering your scope or inside it; NOT_FOUND otherwise.' })
  async campaign(@Arg('id', () => ID, { description: 'The campaign.' }) id: string, @Ctx() ctx: AuditContext): Promise<CampaignType> {
    return toCampaignType(await ctx.services.campaign.get(ctx.actor, id));
  }

  @Query(() => CampaignConnection, { description: 'Campaigns rooted inside your scope or covering it, newest first.' })
  async campaigns(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => CampaignFilter, { nullable: true, description: 'Which campaigns; all visible ones when omitted.' }) filter: CampaignFilter | null,
    @Ctx() ctx: AuditContext,
  ) {
    const { first, after } = pageArgs<CampaignCursor>(args.first, args.after);
    const page = await ctx.services.campaign.list(ctx.actor, filter ?? {}, first, after);
    return toConnection({ ...page, cursorOf: (c: CampaignRecord) => encodeCursor([c.orderKey, c.id]) }, toCampaignType);
  }

  @Mutation(() => CampaignType, { description: 'Starts a campaign over a subtree, in SELF_CHECK (MANAGE_CAMPAIGNS).' })
  async createCampaign(@Arg('input', () => CreateCampaignInput, { description: 'The campaign.' }) input: CreateCampaignInput, @Ctx() ctx: AuditContext): Promise<CampaignType> {
    return toCampaignType(await ctx.services.campaign.create(ctx.actor, input));
  }

  @Mutation(() => CampaignType, { description: 'Moves a campaign to its next phase: SELF_CHECK → REMEDIATION → ACCEPTANCE → CLOSED (MANAGE_CAMPAIGNS).' })
  async advanceCampaignPhase(@Arg('input', () => AdvanceCampaignPhaseInput, { description: 'The campaign and the phase to move to.' }) input: AdvanceCampaignPhaseInput, @Ctx() ctx: AuditContext): Promise<CampaignType> {
    return toCampaignType(await ctx.services.campaign.advance(ctx.actor, input.campaignId, input.to));
  }

  @Mutation(() => SelfReportType, { description: "Submits a unit's self-report; a resubmission replaces the current revision and keeps it as history." })
  async submitSelfReport(@Arg('input', () => SubmitSelfReportInput, { description: 'The self-check form.' }) input: SubmitSelfReportInput, @Ctx() ctx: AuditContext): Promise<SelfReportType> {
    return toSelfReportType(await ctx.services.campaign.submitSelfReport(ctx.actor, input));
  }

  @Mutation(() => SpotCheckType, { description: "Draws a reproducible random sample of a unit's machines for inspection (MANAGE_CAMPAIGNS)." })
  async drawSpotCheck(@Arg('input', () => DrawSpotCheckInput, { description: 'The unit, the size and the seed.' }) input: DrawSpotCheckInput, @Ctx() ctx: AuditContext): Promise<SpotCheckType> {
    return toSpotCheckType(await ctx.services.campaign.drawSpotCheck(ctx.actor, input));
  }

  @Mutation(() => SpotCheckType, { description: "Records an inspector's finding on a sampled machine (MANAGE_CAMPAIGNS); returns the spot check." })
  async recordSpotCheckFinding(@Arg('input', () => RecordSpotCheckFindingInput, { description: 'The finding.' }) input: RecordSpotCheckFindingInput, @Ctx() ctx: AuditContext): Promise<SpotCheckType> {
    return toSpotCheckType(await ctx.services.campaign.recordFinding(ctx.actor, input));
  }

  @Mutation(() => CampaignRoundType, { description: "Publishes the campaign's next round: every unit's declared and measured figures, frozen from now on (MANAGE_CAMPAIGNS)." })
  async publishRound(@Arg('input', () => PublishRoundInput, { description: 'The campaign and a label.' }) input: PublishRoundInput, @Ctx() ctx: AuditContext): Promise<CampaignRoundType> {
    return toRoundType(await ctx.services.campaign.publishRound(ctx.actor, input.campaignId, input.label ?? null));
  }

  @FieldResolver(() => OrgUnitStub, { nullable: true, description: 'The unit whose subtree the campaign covers; null when it lies outside your scope (the campaign covers your unit).' })
  async rootUnit(@Root() campaign: CampaignType, @Ctx() ctx: AuditContext): Promise<OrgUnitStub | null> {
    return (await ctx.services.campaign.unitVisible(ctx.actor, campaign.record.rootUnitId)) ? Object.assign(new OrgUnitStub(), { id: campaign.record.rootUnitId }) : null;
  }

  @FieldResolver(() => CampaignUnitProgressConnection, { description: 'The reporting units in your scope and where each stands, by unit id.' })
  async progress(@Root() campaign: CampaignType, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<string>(args.first, args.after);
    const page = await ctx.services.campaign.progress(ctx.actor, campaign.record, first, after);
    const asOf = today();
    return toConnection({ ...page, cursorOf: unitCursor }, (p: UnitProgressRecord) => toUnitProgressType(p, campaign.record, asOf));
  }

  @FieldResolver(() => CampaignUnitProgressConnection, { description: 'Reporting units in your scope without a self-report whose self-check deadline has passed, by unit id.' })
  async overdueUnits(
    @Root() campaign: CampaignType,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('asOf', () => DateScalar, { nullable: true, description: 'The day to judge on; today (UTC) by default.' }) asOf: string | null,
    @Ctx() ctx: AuditContext,
  ) {
    const { first, after } = pageArgs<string>(args.first, args.after);
    const day = asOf ?? today();
    const page = await ctx.services.campaign.overdue(ctx.actor, campaign.record, day, first, after);
    return toConnection({ ...page, cursorOf: unitCursor }, (p: UnitProgressRecord) => toUnitProgressType(p, campaign.record, day));
  }

  @FieldResolver(() => SelfReportConnection, { description: 'Self-reports of units in your scope, by unit, newest revision first.' })
  async selfReports(@Root() campaign: CampaignType, @Args(() => PageArgs) args: PageArgs, @Args(() => SelfReportsArgs) filter: SelfReportsArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<SelfReportCursor>(args.first, args.after);
    const page = await ctx.services.campaign.selfReports(ctx.actor, campaign.record, filter, first, after);
    return toConnection({ ...page, cursorOf: (r: SelfReportRecord) => encodeCursor([r.orgUnitId, r.revision]) }, toSelfReportType);
  }

  @FieldResolver(() => UnitDiscrepancyConnection, { description: 'Declared against measured figures of the units in your scope, by unit id.' })
  async discrepancies(
    @Root() campaign: CampaignType,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('onlyReported', () => Boolean, { nullable: true, defaultValue: true, description: 'Only units with a self-report; true by default.' }) onlyReported: boolean | null,
    @Ctx() ctx: AuditContext,
  ) {
    const { first, after } = pageArgs<string>(args.first, args.after);
    const page = await ctx.services.campaign.discrepancies(ctx.actor, campaign.record, onlyReported ?? true, first, after);
    return toConnection({ ...page, cursorOf: unitCursor }, (u: UnitComparison) => toUnitDiscrepancyType(u, campaign.record.trackedCategories));
  }

  @FieldResolver(() => UnitDiscrepancyType, { description: "One unit's declared against measured figures." })
  async discrepancy(
    @Root() campaign: CampaignType,
    @Arg('orgUnitCode', () => String, { description: 'The unit.' }) orgUnitCode: string,
    @Ctx() ctx: AuditContext,
  ): Promise<UnitDiscrepancyType> {
    return toUnitDiscrepancyType(await ctx.services.campaign.discrepancy(ctx.actor, campaign.record, orgUnitCode), campaign.record.trackedCategories);
  }

  @FieldResolver(() => SpotCheckConnection, { description: 'Spot checks of units in your scope, newest first.' })
  async spotChecks(@Root() campaign: CampaignType, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<CampaignCursor>(args.first, args.after);
    const page = await ctx.services.campaign.spotChecks(ctx.actor, campaign.record, first, after);
    return toConnection({ ...page, cursorOf: (s: SpotCheckRecord) => encodeCursor([s.orderKey, s.id]) }, toSpotCheckType);
  }

  @FieldResolver(() => CampaignRoundConnection, { description: 'Published rounds, newest first.' })
  async rounds(@Root() campaign: CampaignType, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<number>(args.first, args.after);
    const page = await ctx.services.campaign.rounds(campaign.record, first, after);
    return toConnection({ ...page, cursorOf: (r: { number: number }) => encodeCursor(r.number) }, toRoundType);
  }
}

@Resolver(() => SpotCheckType)
export class SpotCheckResolver {
  @Query(() => SpotCheckType, { description: 'A spot check of a unit in your scope; NOT_FOUND otherwise.' })
  async spotCheck(@Arg('id', () => ID, { description: 'The spot check.' }) id: string, @Ctx() ctx: AuditContext): Promise<SpotCheckType> {
    return toSpotCheckType(await ctx.services.campaign.spotCheck(ctx.actor, id));
  }

  @FieldResolver(() => [SampledMachineType], { description: 'The sampled machines in draw order (at most 500), with their findings.' })
  async machines(@Root() spotCheck: SpotCheckType, @Ctx() ctx: AuditContext): Promise<SampledMachineType[]> {
    return toSampledMachines(await ctx.loaders.campaign.sampledMachines.load(spotCheck.id));
  }

  @FieldResolver(() => [SpotCheckDiscrepancyType], { description: "Per tracked category: the findings against the engine's current status of the same machines." })
  async discrepancies(@Root() spotCheck: SpotCheckType, @Ctx() ctx: AuditContext): Promise<SpotCheckDiscrepancyType[]> {
    const campaign = await ctx.services.campaign.get(ctx.actor, spotCheck.campaignId);
    return toSpotCheckDiscrepancies(await ctx.loaders.campaign.sampledMachines.load(spotCheck.id), campaign.trackedCategories);
  }
}

@Resolver(() => CampaignRoundType)
export class CampaignRoundResolver {
  @FieldResolver(() => UnitDiscrepancyConnection, { description: 'The frozen figures of the units in your scope, by unit id.' })
  async figures(@Root() round: CampaignRoundType, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<string>(args.first, args.after);
    const campaign = await ctx.services.campaign.get(ctx.actor, round.campaignId);
    const page = await ctx.services.campaign.roundFigures(ctx.actor, round.record, first, after);
    return toConnection({ ...page, cursorOf: unitCursor }, (u: UnitComparison) => toUnitDiscrepancyType(u, campaign.trackedCategories));
  }
}
