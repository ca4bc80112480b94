import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/*
 * The compliance engine's maintained results (DESIGN → Compliance semantics). Dashboards read these tables;
 * they never wait for a recompute. Every row can be rebuilt from the inventories and `registry_public`, and a
 * full recompute and the incremental path produce the same rows.
 */

/** One recognized edition installed on a machine, and what covers it (rule 2), or nothing. */
@Entity({ tableName: 'compliance_install' })
// By unit, the installs a machine seat does not cover: the unlicensed ones, and those an entitlement change in the
// unit can move (a machine seat comes first, so only the seat's own entitlement moves it, found by its seats).
@Index({
  name: 'compliance_install_unit_unseated_idx',
  expression: `create index "compliance_install_unit_unseated_idx" on "audit"."compliance_install" ("org_unit_id", "edition_id") where "basis" is null or "basis" <> 'DEVICE'`,
})
// Partial: only pool seats are looked up by entitlement (how many each pool has dealt out), and only what asks a
// pool by product (the deal's candidates). A third and a half of the rows: cheaper to build and to keep up.
@Index({
  name: 'compliance_install_pool_seat_idx',
  expression: `create index "compliance_install_pool_seat_idx" on "audit"."compliance_install" ("entitlement_id") where "basis" = 'POOL'`,
})
@Index({
  name: 'compliance_install_pool_ask_idx',
  expression: `create index "compliance_install_pool_ask_idx" on "audit"."compliance_install" ("product_id") where "licensable" and ("basis" is null or "basis" = 'POOL')`,
})
export class ComplianceInstall {
  [OptionalProps]?: 'basis' | 'entitlementId';

  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  @PrimaryKey({ type: 'uuid' })
  editionId!: string;

  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'string', length: 32 })
  category!: string;

  @Property({ type: 'uuid' })
  orgUnitId!: string;

  @Property({ type: 'boolean' })
  licensable!: boolean;

  /** DEVICE, USER, SITE, OEM or POOL seat; FREE for a non-licensable product; null when nothing covers it. */
  @Property({ type: 'string', length: 8, nullable: true })
  basis: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  entitlementId: string | null = null;
}

/** A machine's status in one category (rule 3). */
// Read by machine (the primary key); units' figures are kept in compliance_unit_category, so no index by unit.
@Entity({ tableName: 'compliance_machine_category' })
export class ComplianceMachineCategory {
  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  @PrimaryKey({ type: 'string', length: 32 })
  category!: string;

  @Property({ type: 'uuid' })
  orgUnitId!: string;

  /** LICENSED, UNLICENSED or MISSING. */
  @Property({ type: 'string', length: 16 })
  status!: string;
}

/** Per unit (the unit alone, not its descendants) and category: machine counts by status (rule 4). */
@Entity({ tableName: 'compliance_unit_category' })
export class ComplianceUnitCategory {
  @PrimaryKey({ type: 'uuid' })
  orgUnitId!: string;

  @PrimaryKey({ type: 'string', length: 32 })
  category!: string;

  @Property({ type: 'integer' })
  machineCount!: number;

  @Property({ type: 'integer' })
  licensed!: number;

  @Property({ type: 'integer' })
  unlicensed!: number;

  @Property({ type: 'integer' })
  missing!: number;
}

/** Per unit alone: machines, and machines LICENSED in every tracked category (rule 5). */
@Entity({ tableName: 'compliance_unit' })
export class ComplianceUnit {
  @PrimaryKey({ type: 'uuid' })
  orgUnitId!: string;

  @Property({ type: 'integer' })
  machineCount!: number;

  @Property({ type: 'integer' })
  fullyLicensed!: number;
}

/** Per unit alone and edition: the license position (rule 6). Seats count where the entitlement is owned. */
@Entity({ tableName: 'compliance_position' })
@Index({ name: 'compliance_position_edition_idx', properties: ['editionId'] })
export class CompliancePosition {
  @PrimaryKey({ type: 'uuid' })
  orgUnitId!: string;

  @PrimaryKey({ type: 'uuid' })
  editionId!: string;

  /** Machines of the unit with the edition installed. */
  @Property({ type: 'integer' })
  installs!: number;

  @Property({ type: 'integer' })
  covered!: number;

  /** Seats of the unit's active entitlements of the edition. */
  @Property({ type: 'integer' })
  entitled!: number;

  /** Seats of those entitlements held by machines or people. */
  @Property({ type: 'integer' })
  assigned!: number;

  /** Seats of those entitlements taken automatically from the pool. */
  @Property({ type: 'integer' })
  pooled!: number;
}

/** Machines whose figures must be recomputed; written by triggers on the inventory tables and by the change-log consumer. */
@Entity({ tableName: 'compliance_dirty_machine' })
export class ComplianceDirtyMachine {
  @PrimaryKey({ type: 'uuid' })
  machineId!: string;
}

/** Where the engine stands: the last registry change applied and the date results were evaluated on. */
@Entity({ tableName: 'compliance_state' })
export class ComplianceState {
  [OptionalProps]?: 'changeWatermark' | 'evaluatedOn' | 'recomputedAt';

  /** Always 1: the engine has one state. */
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  id!: number;

  @Property({ type: 'bigint', default: 0 })
  changeWatermark: string = '0';

  @Property({ type: 'date', nullable: true })
  evaluatedOn: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  recomputedAt: Date | null = null;
}
