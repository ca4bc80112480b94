import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';

/*
 * A legalization campaign (DESIGN → Domain → Audit, the seed's self-check → remediation → acceptance): the units
 * of a subtree declare their figures, inspectors spot-check machines, and rounds freeze what was declared and
 * measured at the time they were published. The service writes these tables with set-based SQL; the entities are
 * the mapping the migrations are generated from.
 */

/** The phases in order; CLOSED ends the campaign. */
export const CAMPAIGN_PHASES = ['SELF_CHECK', 'REMEDIATION', 'ACCEPTANCE', 'CLOSED'] as const;
export type CampaignPhaseName = (typeof CAMPAIGN_PHASES)[number];

@Entity({ tableName: 'campaign' })
@Index({ name: 'campaign_root_unit_idx', properties: ['rootUnitId'] })
@Index({ name: 'campaign_created_idx', properties: ['createdAt', 'id'] })
@Check({ name: 'campaign_deadline_order_check', expression: 'self_check_deadline <= remediation_deadline and remediation_deadline <= acceptance_deadline' })
@Check({ name: 'campaign_categories_check', expression: 'cardinality(tracked_categories) >= 1 and cardinality(tracked_categories) <= 7' })
@Check({ name: 'campaign_reporting_depth_check', expression: 'reporting_depth >= 0 and reporting_depth <= 10' })
export class Campaign {
  [OptionalProps]?: 'phase' | 'createdAt' | 'phaseStartedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** The org unit whose subtree the campaign covers (registry_public.org_unit). */
  @Property({ type: 'uuid' })
  rootUnitId!: string;

  @Property({ type: 'string[]', columnType: 'text[]' })
  trackedCategories!: string[];

  /** Depth below the root of the units expected to report (shallower leaves report too); 1 = the root's children. */
  @Property({ type: 'smallint' })
  reportingDepth!: number;

  @Enum({ items: [...CAMPAIGN_PHASES], default: 'SELF_CHECK' })
  phase: CampaignPhaseName = 'SELF_CHECK';

  @Property({ type: 'date' })
  selfCheckDeadline!: string;

  @Property({ type: 'date' })
  remediationDeadline!: string;

  @Property({ type: 'date' })
  acceptanceDeadline!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  phaseStartedAt: Date = new Date();
}

/**
 * One revision of a unit's self-report (the seed's self-check form). A resubmission supersedes the current
 * revision and adds the next; at most one revision per (campaign, unit) is current.
 */
@Entity({ tableName: 'self_report' })
@Unique({ name: 'self_report_revision_unique', properties: ['campaign', 'orgUnitId', 'revision'] })
@Index({
  name: 'self_report_current_unique',
  expression: 'create unique index "self_report_current_unique" on "audit"."self_report" ("campaign_id", "org_unit_id") where "superseded_at" is null',
})
@Check({ name: 'self_report_counts_check', expression: 'computers >= 0 and desktops >= 0 and laptops >= 0 and operators >= 0 and desktops + laptops <= computers' })
export class SelfReport {
  [OptionalProps]?: 'submittedAt' | 'supersededAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Campaign, { ref: true, deleteRule: 'cascade' })
  campaign!: Ref<Campaign>;

  @Property({ type: 'uuid' })
  orgUnitId!: string;

  @Property({ type: 'integer' })
  revision!: number;

  @Property({ type: 'integer' })
  computers!: number;

  @Property({ type: 'integer' })
  desktops!: number;

  @Property({ type: 'integer' })
  laptops!: number;

  @Property({ type: 'integer' })
  operators!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  submittedAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  submittedBy!: string;

  @Property({ type: 'timestamptz', nullable: true })
  supersededAt: Date | null = null;
}

/** Licensed installs a self-report declares in one tracked category. */
@Entity({ tableName: 'self_report_licensed' })
@Check({ name: 'self_report_licensed_check', expression: 'licensed >= 0' })
export class SelfReportLicensed {
  @ManyToOne(() => SelfReport, { primary: true, ref: true, deleteRule: 'cascade' })
  selfReport!: Ref<SelfReport>;

  @PrimaryKey({ type: 'string', length: 32 })
  category!: string;

  @Property({ type: 'integer' })
  licensed!: number;
}

/** A drawn sample of a unit's machines: the seed and the machines it gave, kept as drawn. */
@Entity({ tableName: 'spot_check' })
@Index({ name: 'spot_check_campaign_idx', properties: ['campaign', 'drawnAt', 'id'] })
export class SpotCheck {
  [OptionalProps]?: 'drawnAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Campaign, { ref: true, deleteRule: 'cascade' })
  campaign!: Ref<Campaign>;

  @Property({ type: 'uuid' })
  orgUnitId!: string;

  @Property({ type: 'string', length: 100 })
  seed!: string;

  /** The size asked for; the sample holds fewer machines when the unit has fewer. */
  @Property({ type: 'integer' })
  requestedSize!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  drawnAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  drawnBy!: string;
}

/** One machine of a sample, at its position in the draw order. */
@Entity({ tableName: 'spot_check_machine' })
@Unique({ name: 'spot_check_machine_position_unique', properties: ['spotCheck', 'position'] })
export class SpotCheckMachine {
  @ManyToOne(() => SpotCheck, { primary: true, ref: true, deleteRule: 'cascade' })
  spotCheck!: Ref<SpotCheck>;

  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'integer' })
  position!: number;
}

/** An inspector's finding on a sampled machine in one category; recording it again replaces it. */
@Entity({ tableName: 'spot_check_finding' })
export class SpotCheckFinding {
  [OptionalProps]?: 'recordedAt' | 'note';

  @ManyToOne(() => SpotCheck, { primary: true, ref: true, deleteRule: 'cascade' })
  spotCheck!: Ref<SpotCheck>;

  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  @PrimaryKey({ type: 'string', length: 32 })
  category!: string;

  /** FOUND_LICENSED, FOUND_UNLICENSED or FOUND_MISSING. */
  @Enum({ items: ['FOUND_LICENSED', 'FOUND_UNLICENSED', 'FOUND_MISSING'] })
  finding!: string;

  @Property({ type: 'string', length: 2000, nullable: true })
  note: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  recordedAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  recordedBy!: string;
}

/** A published round: its figures were copied when it was published and never change afterwards. */
@Entity({ tableName: 'campaign_round' })
@Unique({ name: 'campaign_round_number_unique', properties: ['campaign', 'number'] })
export class CampaignRound {
  [OptionalProps]?: 'publishedAt' | 'label';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Campaign, { ref: true, deleteRule: 'cascade' })
  campaign!: Ref<Campaign>;

  @Property({ type: 'integer' })
  number!: number;

  @Property({ type: 'string', length: 200, nullable: true })
  label: string | null = null;

  /** The campaign's phase when the round was published. */
  @Property({ type: 'string', length: 16 })
  phase!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  publishedAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  publishedBy!: string;
}

/** A unit's frozen figures in a round: what it had declared (null without a report) and what was measured. */
@Entity({ tableName: 'campaign_round_unit' })
export class CampaignRoundUnit {
  @ManyToOne(() => CampaignRound, { primary: true, ref: true, deleteRule: 'cascade' })
  round!: Ref<CampaignRound>;

  @PrimaryKey({ type: 'uuid' })
  orgUnitId!: string;

  @Property({ type: 'smallint' })
  depth!: number;

  @Property({ type: 'integer', nullable: true })
  selfReportRevision!: number | null;

  @Property({ type: 'integer', nullable: true })
  declaredComputers!: number | null;

  @Property({ type: 'integer', nullable: true })
  declaredDesktops!: number | null;

  @Property({ type: 'integer', nullable: true })
  declaredLaptops!: number | null;

  @Property({ type: 'integer', nullable: true })
  declaredOperators!: number | null;

  @Property({ type: 'integer' })
  measuredComputers!: number;

  @Property({ type: 'integer' })
  measuredDesktops!: number;

  @Property({ type: 'integer' })
  measuredLaptops!: number;

  @Property({ type: 'integer' })
  measuredOperators!: number;
}

/** A unit's frozen licensed figures in one tracked category of a round. */
@Entity({ tableName: 'campaign_round_unit_category' })
export class CampaignRoundUnitCategory {
  @ManyToOne(() => CampaignRound, { primary: true, ref: true, deleteRule: 'cascade' })
  round!: Ref<CampaignRound>;

  @PrimaryKey({ type: 'uuid' })
  orgUnitId!: string;

  @PrimaryKey({ type: 'string', length: 32 })
  category!: string;

  @Property({ type: 'integer', nullable: true })
  declaredLicensed!: number | null;

  @Property({ type: 'integer' })
  measuredLicensed!: number;
}

export const campaignEntities = [
  Campaign,
  SelfReport,
  SelfReportLicensed,
  SpotCheck,
  SpotCheckMachine,
  SpotCheckFinding,
  CampaignRound,
  CampaignRoundUnit,
  CampaignRoundUnitCategory,
];
