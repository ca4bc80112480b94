import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A distinct raw title (name, version, publisher) as agents report it, with what the rules currently make of it.
 * The id is derived from the title's text (see `titleId`), so an ingest knows every title's id without a round
 * trip and concurrent ingests of the same new title meet at the primary key.
 *
 * Recognition: `ruleId` null means unrecognized; otherwise the winning rule's edition (`editionId`) or IGNORE.
 */
@Entity({ tableName: 'software_title' })
@Index({ name: 'software_title_rule_idx', properties: ['ruleId'] })
@Index({ name: 'software_title_unrecognized_idx', expression: 'create index "software_title_unrecognized_idx" on "audit"."software_title" ("id") where "rule_id" is null' })
export class SoftwareTitle {
  [OptionalProps]?: 'version' | 'publisher' | 'editionId' | 'ignored' | 'ruleId' | 'recognizedAt' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 1024 })
  name!: string;

  @Property({ type: 'string', length: 1024, nullable: true })
  version: string | null = null;

  @Property({ type: 'string', length: 1024, nullable: true })
  publisher: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  editionId: string | null = null;

  @Property({ type: 'boolean', default: false })
  ignored = false;

  /** The rule that decided the recognition; no foreign key, since rules are only ever soft-removed. */
  @Property({ type: 'uuid', nullable: true })
  ruleId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  recognizedAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
