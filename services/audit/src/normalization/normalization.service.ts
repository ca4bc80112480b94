import { badInput, forbidden, notFound, type Actor, type Logger } from '@genuine/kit';
import { can, Permission } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ScopeRepository } from '../scope/scope.repository';
import type { NormalizationLoaders } from './normalization.loader';
import { canOnNormalization } from './normalization.policy';
import {
  NormalizationRepository,
  type NewRule,
  type RecognizedTitle,
  type RuleCursor,
  type RuleRecord,
  type TitleRecord,
  type WorklistCursor,
} from './normalization.repository';
import { TitleMatcher, validatePattern, type MatcherRule, type Recognition } from './title-matcher';
import { normalizedTitle } from './title-text';

export interface NormalizationDeps {
  em: EntityManager;
  requestId: string;
  log: Logger;
}

export interface AddRuleCommand {
  namePattern?: string | null;
  publisherPattern?: string | null;
  versionPattern?: string | null;
  editionId?: string | null;
  ignore?: boolean | null;
  priority?: number | null;
}

/** A rule of the shipped default set, its edition key already mapped to the registry's edition id. */
export interface DefaultRule extends NewRule {
  key: string;
}

export interface ReplayResult {
  titlesExamined: number;
  titlesChanged: number;
}

export interface RawTitleQuery {
  rawName: string;
  rawVersion?: string | null;
  rawPublisher?: string | null;
}

/**
 * User rules land above the shipped product rules (600-799) and below the shipped IGNORE bands (900 runtimes and
 * drivers, 1000 updates and language packs), so "Security Update for Microsoft Office" stays ignored when a user
 * maps "Microsoft Office" to an edition. Pass a priority above 1000 to override everything.
 */
export const DEFAULT_USER_RULE_PRIORITY = 800;
export const MIN_RULE_PRIORITY = -1_000_000;
export const MAX_RULE_PRIORITY = 1_000_000;
const REPLAY_BATCH = 2000;

function recognitionFields(recognition: Recognition): Pick<RecognizedTitle, 'editionId' | 'ignored' | 'ruleId'> {
  return { editionId: recognition?.editionId ?? null, ignored: recognition?.ignored ?? false, ruleId: recognition?.ruleId ?? null };
}

function sameRecognition(title: RecognizedTitle, recognition: Recognition): boolean {
  const next = recognitionFields(recognition);
  return title.ruleId === next.ruleId && title.editionId === next.editionId && title.ignored === next.ignored;
}

/**
 * Stores the titles of an inventory that are new, each with what the current rules make of it. Runs inside the
 * ingest's transaction; titles already stored keep their recognition (rule changes maintain it), so an ingest
 * matches only titles never seen before, and a fleet of identical machines matches each title once.
 */
export class TitleRecognizer {
  constructor(private readonly repository: NormalizationRepository) {}

  async storeNewTitles(titles: readonly TitleRecord[]): Promise<number> {
    const existing = await this.repository.existingTitleIds(titles.map((t) => t.id));
    const fresh = titles.filter((t) => !existing.has(t.id));
    if (fresh.length === 0) return 0;
    await this.repository.lockRulesShared();
    const matcher = new TitleMatcher(await this.repository.activeRules());
    await this.repository.insertTitles(fresh.map((t) => ({ ...t, ...recognitionFields(matcher.match(t)) })));
    return fresh.length;
  }
}

/**
 * Normalization rules (DESIGN rule 1) and what they make of the titles agents report: adding and removing rules
 * (each change re-decides exactly the titles it can affect, in its own transaction), full replays, `recognize`
 * for one title without storing anything, and the worklist of unrecognized titles.
 */
export class NormalizationService {
  constructor(
    private readonly deps: NormalizationDeps,
    private readonly loaders: NormalizationLoaders,
  ) {}

  private get repository(): NormalizationRepository {
    return new NormalizationRepository(this.deps.em);
  }

  async getRule(actor: Actor, id: string): Promise<RuleRecord | null> {
    if (!canOnNormalization(actor, 'read')) return null;
    return this.loaders.ruleById.load(id);
  }

  async listRules(actor: Actor, filter: { includeRemoved?: boolean | null; editionId?: string | null }, first: number, after: RuleCursor | null) {
    if (!canOnNormalization(actor, 'read')) throw forbidden();
    const query = { includeRemoved: filter.includeRemoved ?? false, editionId: filter.editionId ?? null };
    const rows = await this.repository.listRules({ ...query, after, limit: first + 1 });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countRules(query) };
  }

  /** What the active rules make of a raw title, without storing anything. */
  async recognize(actor: Actor, query: RawTitleQuery): Promise<Recognition> {
    if (!canOnNormalization(actor, 'read')) throw forbidden();
    const title = normalizedTitle(query.rawName, query.rawVersion, query.rawPublisher);
    if (title.name === '') throw badInput('rawName must not be blank');
    return new TitleMatcher(await this.repository.activeRules()).match(title);
  }

  /** Adds a user rule and re-decides the stored titles it matches, in one transaction. */
  async addRule(actor: Actor, command: AddRuleCommand): Promise<{ rule: RuleRecord; titlesChanged: number }> {
    if (!canOnNormalization(actor, 'manage')) {
      throw forbidden('Normalization rules apply to the whole organisation: changing them takes MANAGE_NORMALIZATION on an unscoped token');
    }
    const rule = this.validRule(command);
    if (rule.editionId !== null && !(await this.repository.existingEditions([rule.editionId])).has(rule.editionId)) {
      throw badInput(`Edition ${rule.editionId} does not exist`, { field: 'editionId' });
    }
    return this.deps.em.transactional(async (tx) => {
      const repository = new NormalizationRepository(tx);
      await repository.lockRulesExclusive();
      const stored = await repository.insertRule(rule, actor.id);
      const matcher = new TitleMatcher(await repository.activeRules());
      const titlesChanged = await this.rematch(repository, matcher, await repository.titlesMatching(rule));
      this.deps.log.info({ ruleId: stored.id, titlesChanged }, 'normalization rule added');
      return { rule: stored, titlesChanged };
    });
  }

  /** Removes a rule (kept, marked removed) and re-decides the titles it had decided. */
  async removeRule(actor: Actor, id: string): Promise<{ rule: RuleRecord; titlesChanged: number }> {
    if (!canOnNormalization(actor, 'manage')) {
      throw forbidden('Normalization rules apply to the whole organisation: changing them takes MANAGE_NORMALIZATION on an unscoped token');
    }
    return this.deps.em.transactional(async (tx) => {
      const repository = new NormalizationRepository(tx);
      await repository.lockRulesExclusive();
      const removed = await repository.removeRule(id, actor.id);
      if (!removed) throw notFound('Normalization rule');
      const matcher = new TitleMatcher(await repository.activeRules());
      const titlesChanged = await this.rematch(repository, matcher, await repository.titlesDecidedBy(id));
      this.deps.log.info({ ruleId: id, titlesChanged }, 'normalization rule removed');
      return { rule: removed, titlesChanged };
    });
  }

  /**
   * Re-decides every stored title (or only the unrecognized ones) with the active rules, in bounded batches, each
   * its own short transaction so ingest is never held up for long.
   */
  async replay(actor: Actor, options: { onlyUnrecognized?: boolean | null } = {}): Promise<ReplayResult> {
    if (!canOnNormalization(actor, 'manage')) {
      throw forbidden('Replaying normalization takes MANAGE_NORMALIZATION on an unscoped token');
    }
    const result: ReplayResult = { titlesExamined: 0, titlesChanged: 0 };
    let after: string | null = null;
    for (;;) {
      const batch: RecognizedTitle[] = await this.deps.em.fork().transactional(async (tx) => {
        const repository = new NormalizationRepository(tx);
        await repository.lockRulesExclusive();
        const titles = await repository.titlesAfter(after, REPLAY_BATCH, options.onlyUnrecognized ?? false);
        const matcher = new TitleMatcher(await repository.activeRules());
        result.titlesChanged += await this.rematch(repository, matcher, titles);
        return titles;
      });
      result.titlesExamined += batch.length;
      if (batch.length < REPLAY_BATCH) break;
      after = batch[batch.length - 1].id;
    }
    return result;
  }

  /**
   * Start-up: inserts the rules of the shipped set that were never imported (by key; removed ones stay removed),
   * then replays. Returns how many rules were new.
   */
  async importDefaultRules(actor: Actor, rules: readonly DefaultRule[]): Promise<{ inserted: number } & ReplayResult> {
    if (!can(actor, Permission.ADMINISTER)) throw forbidden('Importing the default rules takes ADMINISTER');
    // Compiling the set checks every pattern before anything is written.
    new TitleMatcher(rules.map((r): MatcherRule => ({ ...r, id: r.key })));
    const inserted = await this.deps.em.transactional(async (tx) => {
      const repository = new NormalizationRepository(tx);
      await repository.lockRulesExclusive();
      return repository.insertKeyedRules(rules, actor.id);
    });
    const replayed = inserted > 0 ? await this.replay(actor) : { titlesExamined: 0, titlesChanged: 0 };
    return { inserted, ...replayed };
  }

  /** True once the shipped rule set has been imported into this database. */
  async hasDefaultRules(): Promise<boolean> {
    return this.repository.hasKeyedRules();
  }

  /** Unrecognized titles with how many machines in scope report each, most frequent first. */
  async worklist(actor: Actor, filter: { orgUnitCode?: string | null; search?: string | null }, first: number, after: WorklistCursor | null) {
    if (!canOnNormalization(actor, 'read')) throw forbidden();
    let rootUnitId = actor.scopeUnitId;
    if (filter.orgUnitCode) {
      const unit = await new ScopeRepository(this.deps.em).unitByCode(actor.scopeUnitId, filter.orgUnitCode);
      if (!unit) throw notFound(`Org unit ${filter.orgUnitCode}`);
      rootUnitId = unit.id;
    }
    const query = { rootUnitId, search: filter.search?.trim() || null };
    const rows = await this.repository.worklist({ ...query, after, limit: first + 1 });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countWorklist(query) };
  }

  private validRule(command: AddRuleCommand): NewRule {
    const patterns = {
      namePattern: command.namePattern ?? null,
      publisherPattern: command.publisherPattern ?? null,
      versionPattern: command.versionPattern ?? null,
    };
    const problems: Array<{ field: string; messages: string[] }> = [];
    for (const [field, pattern] of Object.entries(patterns)) {
      const problem = pattern === null ? null : validatePattern(pattern);
      if (problem !== null) problems.push({ field, messages: [problem] });
    }
    if (problems.length > 0) throw badInput('A pattern is not valid', { fields: problems });
    if (patterns.namePattern === null && patterns.publisherPattern === null && patterns.versionPattern === null) {
      throw badInput('A rule needs at least one of namePattern, publisherPattern or versionPattern');
    }
    const ignore = command.ignore ?? false;
    const editionId = command.editionId ?? null;
    if (ignore && editionId !== null) throw badInput('A rule either maps titles to an edition or ignores them, not both');
    if (!ignore && editionId === null) throw badInput('A rule needs an editionId, or ignore: true');
    const priority = command.priority ?? DEFAULT_USER_RULE_PRIORITY;
    if (!Number.isInteger(priority) || priority < MIN_RULE_PRIORITY || priority > MAX_RULE_PRIORITY) {
      throw badInput(`priority must be an integer between ${MIN_RULE_PRIORITY} and ${MAX_RULE_PRIORITY}`);
    }
    return { key: null, ...patterns, editionId, ignore, priority };
  }

  private async rematch(repository: NormalizationRepository, matcher: TitleMatcher, titles: readonly RecognizedTitle[]): Promise<number> {
    const changes = titles
      .map((title) => ({ title, recognition: matcher.match(title) }))
      .filter(({ title, recognition }) => !sameRecognition(title, recognition))
      .map(({ title, recognition }) => ({ id: title.id, recognition }));
    return repository.updateRecognitions(changes);
  }
}
