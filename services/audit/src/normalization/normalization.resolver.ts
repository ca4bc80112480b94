import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, encodeCursor, pageArgs, toConnection } from '@genuine/kit';
import type { AuditContext } from '../context';
import { editionStub } from '../edition/edition.type';
import {
  AddNormalizationRuleInput,
  NormalizationRuleFilter,
  RecognizeArgs,
  RemoveNormalizationRuleInput,
  ReplayNormalizationInput,
  UnrecognizedTitleFilter,
} from './normalization.input';
import type { RuleCursor, RuleRecord, UnrecognizedTitleRecord, WorklistCursor } from './normalization.repository';
import {
  NormalizationReplayType,
  NormalizationRuleConnection,
  NormalizationRuleType,
  RecognitionType,
  UnrecognizedTitleConnection,
  toNormalizationReplayType,
  toNormalizationRuleType,
  toUnrecognizedTitleType,
} from './normalization.type';

@Resolver(() => NormalizationRuleType)
export class NormalizationResolver {
  @Query(() => RecognitionType, { description: 'What the current rules make of a raw title, without storing anything.' })
  async recognize(@Args(() => RecognizeArgs) args: RecognizeArgs, @Ctx() ctx: AuditContext): Promise<RecognitionType> {
    const recognition = await ctx.services.normalization.recognize(ctx.actor, args);
    return Object.assign(new RecognitionType(), {
      edition: editionStub(recognition?.editionId ?? null),
      ignored: recognition?.ignored ?? false,
      recognized: recognition !== null,
      ruleId: recognition?.ruleId ?? null,
    });
  }

  @Query(() => NormalizationRuleConnection, { description: 'Normalization rules, highest priority first.' })
  async normalizationRules(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => NormalizationRuleFilter, { nullable: true, description: 'Which rules; the active ones when omitted.' }) filter: NormalizationRuleFilter | null,
    @Ctx() ctx: AuditContext,
  ) {
    const { first, after } = pageArgs<RuleCursor>(args.first, args.after);
    const page = await ctx.services.normalization.listRules(ctx.actor, filter ?? {}, first, after);
    return toConnection({ ...page, cursorOf: (r: RuleRecord) => encodeCursor([r.priority, r.id]) }, toNormalizationRuleType);
  }

  @Query(() => UnrecognizedTitleConnection, { description: 'The worklist: distinct titles no rule matches, with how many machines in scope report each, most frequent first.' })
  async unrecognizedTitles(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => UnrecognizedTitleFilter, { nullable: true, description: 'Which titles; your whole scope when omitted.' }) filter: UnrecognizedTitleFilter | null,
    @Ctx() ctx: AuditContext,
  ) {
    const { first, after } = pageArgs<WorklistCursor>(args.first, args.after);
    const page = await ctx.services.normalization.worklist(ctx.actor, filter ?? {}, first, after);
    return toConnection({ ...page, cursorOf: (t: UnrecognizedTitleRecord) => encodeCursor([t.machineCount, t.id]) }, toUnrecognizedTitleType);
  }

  @Mutation(() => NormalizationRuleType, { description: 'Adds a normalization rule and applies it to the stored titles it matches.' })
  async addNormalizationRule(
    @Arg('input', () => AddNormalizationRuleInput, { description: 'The rule.' }) input: AddNormalizationRuleInput,
    @Ctx() ctx: AuditContext,
  ): Promise<NormalizationRuleType> {
    return toNormalizationRuleType((await ctx.services.normalization.addRule(ctx.actor, input)).rule);
  }

  @Mutation(() => NormalizationRuleType, { description: 'Removes a normalization rule (kept as removed) and re-decides the titles it had decided.' })
  async removeNormalizationRule(
    @Arg('input', () => RemoveNormalizationRuleInput, { description: 'The rule to remove.' }) input: RemoveNormalizationRuleInput,
    @Ctx() ctx: AuditContext,
  ): Promise<NormalizationRuleType> {
    return toNormalizationRuleType((await ctx.services.normalization.removeRule(ctx.actor, input.id)).rule);
  }

  @Mutation(() => NormalizationReplayType, { description: 'Re-decides stored titles with the current rules (rule changes already do this for the titles they affect).' })
  async replayNormalization(
    @Arg('input', () => ReplayNormalizationInput, { nullable: true, description: 'Which titles; all when omitted.' }) input: ReplayNormalizationInput | null,
    @Ctx() ctx: AuditContext,
  ): Promise<NormalizationReplayType> {
    return toNormalizationReplayType(await ctx.services.normalization.replay(ctx.actor, input ?? {}));
  }
}

@Resolver(() => RecognitionType)
export class RecognitionResolver {
  @FieldResolver(() => NormalizationRuleType, { nullable: true, description: 'The rule that decided; null for an unrecognized title.' })
  async rule(@Root() recognition: RecognitionType, @Ctx() ctx: AuditContext): Promise<NormalizationRuleType | null> {
    if (recognition.ruleId === null) return null;
    const rule = await ctx.services.normalization.getRule(ctx.actor, recognition.ruleId);
    return rule ? toNormalizationRuleType(rule) : null;
  }
}
