import { createHash, randomUUID } from 'node:crypto';
import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlArrayNullable, toDate } from '../sql';
import type { MatcherRule, Recognition } from './title-matcher';

export interface RuleRecord {
  id: string;
  key: string | null;
  namePattern: string | null;
  publisherPattern: string | null;
  versionPattern: string | null;
  editionId: string | null;
  ignore: boolean;
  priority: number;
  createdAt: Date;
  createdBy: string;
  removedAt: Date | null;
}

export interface NewRule {
  key: string | null;
  namePattern: string | null;
  publisherPattern: string | null;
  versionPattern: string | null;
  editionId: string | null;
  ignore: boolean;
  priority: number;
}

export interface TitleRecord {
  id: string;
  name: string;
  version: string | null;
  publisher: string | null;
}

export interface RecognizedTitle extends TitleRecord {
  editionId: string | null;
  ignored: boolean;
  ruleId: string | null;
}

export interface UnrecognizedTitleRecord extends TitleRecord {
  machineCount: number;
  installationCount: number;
}

/** Keyset position in the rule list: priority (descending), then id. */
export type RuleCursor = [number, string];
/** Keyset position in the worklist: machine count (descending), then title id. */
export type WorklistCursor = [number, string];

export interface WorklistQuery {
  /** Only installations on machines of this subtree; null counts every machine. */
  rootUnitId: string | null;
  search: string | null;
}

const ruleColumns = `r.id, r.key, r.name_pattern as "namePattern", r.publisher_pattern as "publisherPattern",
  r.version_pattern as "versionPattern", r.edition_id as "editionId", r.ignore, r.priority, r.created_at as "createdAt",
  r.created_by as "createdBy", r.removed_at as "removedAt"`;

/**
 * Rule changes and recognitions of new titles exclude each other through this transaction-level advisory lock:
 * a rule change holds it exclusively while it rewrites recognitions, an ingest holds it shared while it recognizes
 * the titles it is about to insert. So no title is ever recognized with a rule set that a concurrent change has
 * already replaced, whichever replica does what.
 */
const RULES_LOCK_KEY = createHash('sha256').update('genuine:audit:normalization-rules').digest().readBigInt64BE(0).toString();

type RuleRow = Omit<RuleRecord, 'createdAt' | 'removedAt'> & { createdAt: string | Date; removedAt: string | Date | null };

function toRule(row: RuleRow): RuleRecord {
  return { ...row, createdAt: toDate(row.createdAt) ?? new Date(0), removedAt: toDate(row.removedAt) };
}

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rules and distinct titles; every method is one statement. */
export class NormalizationRepository {
  constructor(private readonly em: EntityManager) {}

  async lockRulesExclusive(): Promise<void> {
    await this.em.execute('select pg_advisory_xact_lock(?::bigint)', [RULES_LOCK_KEY]);
  }

  async lockRulesShared(): Promise<void> {
    await this.em.execute('select pg_advisory_xact_lock_shared(?::bigint)', [RULES_LOCK_KEY]);
  }

  /** The active rule set as the matcher takes it. */
  async activeRules(): Promise<MatcherRule[]> {
    return this.em.execute<MatcherRule[]>(
      `select r.id, r.name_pattern as "namePattern", r.publisher_pattern as "publisherPattern", r.version_pattern as "versionPattern",
              r.edition_id as "editionId", r.ignore, r.priority
         from audit.normalization_rule r where r.removed_at is null`,
    );
  }

  async findRulesByIds(ids: readonly string[]): Promise<RuleRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.em.execute<RuleRow[]>(`select ${ruleColumns} from audit.normalization_rule r where r.id = any(?::uuid[])`, [sqlArray(ids)]);
    return rows.map(toRule);
  }

  async listRules(q: { includeRemoved: boolean; editionId: string | null; after: RuleCursor | null; limit: number }): Promise<RuleRecord[]> {
    const rows = await this.em.execute<RuleRow[]>(
      `select ${ruleColumns} from audit.normalization_rule r
        where (?::boolean or r.removed_at is null)
          and (?::uuid is null or r.edition_id = ?::uuid)
          and (?::int is null or r.priority < ?::int or (r.priority = ?::int and r.id > ?::uuid))
        order by r.priority desc, r.id limit ?`,
      [
        q.includeRemoved,
        q.editionId,
        q.editionId,
        q.after?.[0] ?? null,
        q.after?.[0] ?? null,
        q.after?.[0] ?? null,
        q.after?.[1] ?? null,
        q.limit,
      ],
    );
    return rows.map(toRule);
  }

  async countRules(q: { includeRemoved: boolean; editionId: string | null }): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: string }>>(
      `select count(*) as n from audit.normalization_rule r where (?::boolean or r.removed_at is null) and (?::uuid is null or r.edition_id = ?::uuid)`,
      [q.includeRemoved, q.editionId, q.editionId],
    );
    return Number(row.n);
  }

  async insertRule(rule: NewRule, createdBy: string): Promise<RuleRecord> {
    const [row] = await this.em.execute<RuleRow[]>(
      `insert into audit.normalization_rule as r (id, key, name_pattern, publisher_pattern, version_pattern, edition_id, ignore, priority, created_by)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning ${ruleColumns}`,
      [randomUUID(), rule.key, rule.namePattern, rule.publisherPattern, rule.versionPattern, rule.editionId, rule.ignore, rule.priority, createdBy],
    );
    return toRule(row);
  }

  /** Inserts the rules whose key is new, in one statement; returns how many were inserted. */
  async insertKeyedRules(rules: readonly NewRule[], createdBy: string): Promise<number> {
    if (rules.length === 0) return 0;
    const rows = await this.em.execute<Array<{ id: string }>>(
      `insert into audit.normalization_rule (id, key, name_pattern, publisher_pattern, version_pattern, edition_id, ignore, priority, created_by)
       select gen_random_uuid(), u.key, u.name_pattern, u.publisher_pattern, u.version_pattern, u.edition_id, u.ignore, u.priority, ?
         from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[], ?::boolean[], ?::int[])
              as u(key, name_pattern, publisher_pattern, version_pattern, edition_id, ignore, priority)
       on conflict (key) do nothing
       returning id`,
      [
        createdBy,
        sqlArrayNullable(rules.map((r) => r.key)),
        sqlArrayNullable(rules.map((r) => r.namePattern)),
        sqlArrayNullable(rules.map((r) => r.publisherPattern)),
        sqlArrayNullable(rules.map((r) => r.versionPattern)),
        sqlArrayNullable(rules.map((r) => r.editionId)),
        sqlArray(rules.map((r) => String(r.ignore))),
        sqlArray(rules.map((r) => r.priority)),
      ],
    );
    return rows.length;
  }

  /** True when a rule of the shipped set was ever imported (removed ones included), so start-up imports once. */
  async hasKeyedRules(): Promise<boolean> {
    const [row] = await this.em.execute<Array<{ found: boolean }>>(`select exists (select 1 from audit.normalization_rule where key is not null) as found`);
    return row.found;
  }

  async removeRule(id: string, removedBy: string): Promise<RuleRecord | null> {
    const [row] = await this.em.execute<RuleRow[]>(
      `update audit.normalization_rule r set removed_at = now(), removed_by = ? where r.id = ? and r.removed_at is null returning ${ruleColumns}`,
      [removedBy, id],
    );
    return row ? toRule(row) : null;
  }

  /**
   * Titles a rule's patterns match, found by PostgreSQL's `~*` (the same semantics as the JavaScript matcher for
   * the patterns validatePattern admits; an integration test pins the two together). A missing field is matched
   * as the empty string, as the matcher does.
   */
  async titlesMatching(rule: Pick<NewRule, 'namePattern' | 'publisherPattern' | 'versionPattern'>): Promise<RecognizedTitle[]> {
    return this.em.execute<RecognizedTitle[]>(
      `select t.id, t.name, t.version, t.publisher, t.edition_id as "editionId", t.ignored, t.rule_id as "ruleId"
         from audit.software_title t
        where (?::text is null or t.name ~* ?::text)
          and (?::text is null or coalesce(t.publisher, '') ~* ?::text)
          and (?::text is null or coalesce(t.version, '') ~* ?::text)`,
      [rule.namePattern, rule.namePattern, rule.publisherPattern, rule.publisherPattern, rule.versionPattern, rule.versionPattern],
    );
  }

  async titlesDecidedBy(ruleId: string): Promise<RecognizedTitle[]> {
    return this.em.execute<RecognizedTitle[]>(
      `select t.id, t.name, t.version, t.publisher, t.edition_id as "editionId", t.ignored, t.rule_id as "ruleId"
         from audit.software_title t where t.rule_id = ?`,
      [ruleId],
    );
  }

  /** One page of all titles by id, for a full replay in bounded batches. */
  async titlesAfter(afterId: string | null, limit: number, onlyUnrecognized: boolean): Promise<RecognizedTitle[]> {
    return this.em.execute<RecognizedTitle[]>(
      `select t.id, t.name, t.version, t.publisher, t.edition_id as "editionId", t.ignored, t.rule_id as "ruleId"
         from audit.software_title t
        where (?::uuid is null or t.id > ?::uuid) and (not ?::boolean or t.rule_id is null)
        order by t.id limit ?`,
      [afterId, afterId, onlyUnrecognized, limit],
    );
  }

  /** Of `ids`, the titles already stored. */
  async existingTitleIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.em.execute<Array<{ id: string }>>(`select id from audit.software_title where id = any(?::uuid[])`, [sqlArray(ids)]);
    return new Set(rows.map((r) => r.id));
  }

  /** Inserts new titles with their recognition in one statement; titles another ingest inserted meanwhile are kept. */
  async insertTitles(titles: readonly RecognizedTitle[]): Promise<void> {
    if (titles.length === 0) return;
    await this.em.execute(
      `insert into audit.software_title (id, name, version, publisher, edition_id, ignored, rule_id)
       select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::uuid[], ?::boolean[], ?::uuid[])
       on conflict (id) do nothing`,
      [
        sqlArray(titles.map((t) => t.id)),
        sqlArray(titles.map((t) => t.name)),
        sqlArrayNullable(titles.map((t) => t.version)),
        sqlArrayNullable(titles.map((t) => t.publisher)),
        sqlArrayNullable(titles.map((t) => t.editionId)),
        sqlArray(titles.map((t) => String(t.ignored))),
        sqlArrayNullable(titles.map((t) => t.ruleId)),
      ],
    );
  }

  /** Writes recognitions that changed, in one statement; returns how many titles changed. */
  async updateRecognitions(changes: ReadonlyArray<{ id: string; recognition: Recognition }>): Promise<number> {
    if (changes.length === 0) return 0;
    const rows = await this.em.execute<Array<{ id: string }>>(
      `update audit.software_title t
          set edition_id = u.edition_id, ignored = u.ignored, rule_id = u.rule_id, recognized_at = now()
         from unnest(?::uuid[], ?::uuid[], ?::boolean[], ?::uuid[]) as u(id, edition_id, ignored, rule_id)
        where t.id = u.id
          and (t.edition_id is distinct from u.edition_id or t.ignored <> u.ignored or t.rule_id is distinct from u.rule_id)
       returning t.id`,
      [
        sqlArray(changes.map((c) => c.id)),
        sqlArrayNullable(changes.map((c) => c.recognition?.editionId ?? null)),
        sqlArray(changes.map((c) => String(c.recognition?.ignored ?? false))),
        sqlArrayNullable(changes.map((c) => c.recognition?.ruleId ?? null)),
      ],
    );
    return rows.length;
  }

  /** Of `ids`, the editions the registry publishes (registry_public.edition). */
  async existingEditions(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.em.execute<Array<{ id: string }>>(`select id from registry_public.edition where id = any(?::uuid[])`, [sqlArray(ids)]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Unrecognized titles with how many machines (of the subtree, when given) report each, most frequent first.
   * Titles no machine reports any more are left out.
   */
  async worklist(q: WorklistQuery & { after: WorklistCursor | null; limit: number }): Promise<UnrecognizedTitleRecord[]> {
    const { sql, params } = worklistSql(q);
    const rows = await this.em.execute<Array<TitleRecord & { machineCount: string; installationCount: string }>>(
      `select * from (${sql}) w
        where (?::bigint is null or w."machineCount" < ?::bigint or (w."machineCount" = ?::bigint and w.id > ?::uuid))
        order by w."machineCount" desc, w.id limit ?`,
      [...params, q.after?.[0] ?? null, q.after?.[0] ?? null, q.after?.[0] ?? null, q.after?.[1] ?? null, q.limit],
    );
    return rows.map((r) => ({ ...r, machineCount: Number(r.machineCount), installationCount: Number(r.installationCount) }));
  }

  async countWorklist(q: WorklistQuery): Promise<number> {
    const { sql, params } = worklistSql(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from (${sql}) w`, params);
    return Number(row.n);
  }
}

function worklistSql(q: WorklistQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  let scope = '';
  if (q.rootUnitId !== null) {
    scope = `join registry_public.machine m on m.id = i.machine_id
             join registry_public.org_unit_ancestry a on a.unit_id = m.org_unit_id and a.ancestor_id = ?`;
    params.push(q.rootUnitId);
  }
  let search = '';
  if (q.search) {
    search = `and (t.name ilike ? or t.publisher ilike ?)`;
    params.push(likePattern(q.search), likePattern(q.search));
  }
  return {
    sql: `select t.id, t.name, t.version, t.publisher, count(distinct i.machine_id) as "machineCount", count(*) as "installationCount"
            from audit.software_title t
            join audit.installation i on i.title_id = t.id
            ${scope}
           where t.rule_id is null ${search}
           group by t.id`,
    params,
  };
}
