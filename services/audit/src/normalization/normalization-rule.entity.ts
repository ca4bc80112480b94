import { randomUUID } from 'node:crypto';
import { Check, Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A normalization rule (DESIGN rule 1): case-insensitive patterns on name / publisher / version (null matches
 * anything) mapping a title to an edition, or to IGNORE. The highest priority wins. Rules are soft-removed so
 * the titles they once decided keep a meaningful `rule_id` and the history of the rule set stays readable.
 * `key` is set for the rules of the shipped default set (default-catalogue.json).
 */
@Entity({ tableName: 'normalization_rule' })
@Unique({ name: 'normalization_rule_key_unique', properties: ['key'] })
@Index({ name: 'normalization_rule_active_idx', expression: 'create index "normalization_rule_active_idx" on "audit"."normalization_rule" ("priority" desc, "id") where "removed_at" is null' })
@Check({ name: 'normalization_rule_target_check', expression: '(ignore and edition_id is null) or (not ignore and edition_id is not null)' })
@Check({ name: 'normalization_rule_pattern_check', expression: 'coalesce(name_pattern, publisher_pattern, version_pattern) is not null' })
export class NormalizationRule {
  [OptionalProps]?: 'key' | 'namePattern' | 'publisherPattern' | 'versionPattern' | 'editionId' | 'createdAt' | 'removedAt' | 'removedBy';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100, nullable: true })
  key: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  namePattern: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  publisherPattern: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  versionPattern: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  editionId: string | null = null;

  @Property({ type: 'boolean' })
  ignore!: boolean;

  @Property({ type: 'integer' })
  priority!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'timestamptz', nullable: true })
  removedAt: Date | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  removedBy: string | null = null;
}
