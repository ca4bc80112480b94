import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** What became of one received inventory (DESIGN → Audit: a re-send changes nothing, an older one is ignored). */
export enum InventoryOutcome {
  /** Replaced the machine's installation set. */
  APPLIED = 'APPLIED',
  /** Identical to the machine's current inventory: only its last-seen time moved. */
  UNCHANGED = 'UNCHANGED',
  /** Collected before the machine's current inventory: ignored. */
  STALE = 'STALE',
  /** Refused after authentication (unknown TAG, identity conflict...); nothing of it was stored. */
  REJECTED = 'REJECTED',
}

/**
 * One inventory as an agent sent it: who sent it, where from, when it was collected, a checksum of its content to
 * recognise re-sends, and what became of it. Every authenticated inventory leaves one row, refused ones included.
 */
@Entity({ tableName: 'inventory_report' })
@Index({ name: 'inventory_report_machine_idx', properties: ['machineId', 'receivedAt', 'id'] })
export class InventoryReport {
  [OptionalProps]?: 'receivedAt' | 'collectedAt' | 'tag' | 'machineId' | 'orgUnitId' | 'checksum' | 'reason' | 'partial';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Null when the report was refused before its machine was known. */
  @Property({ type: 'uuid', nullable: true })
  machineId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  orgUnitId: string | null = null;

  /** OCS, FUSIONINVENTORY or GLPI. */
  @Property({ type: 'string', length: 32 })
  source!: string;

  @Property({ type: 'string', length: 255 })
  deviceId!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  tag: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  receivedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  collectedAt: Date | null = null;

  @Property({ type: 'boolean', default: false })
  partial = false;

  @Property({ type: 'string', length: 64, nullable: true })
  checksum: string | null = null;

  @Property({ type: 'integer' })
  softwareCount!: number;

  @Property({ type: 'string', length: 16 })
  outcome!: InventoryOutcome;

  /** Why a report was refused, as the agent was told. */
  @Property({ type: 'string', length: 500, nullable: true })
  reason: string | null = null;

  @Property({ type: 'string', length: 100 })
  actorId!: string;

  @Property({ type: 'string', length: 128 })
  requestId!: string;
}

/**
 * The current inventory state of each machine: what re-sends (checksum) and older reports (collected at) are
 * compared with, when the machine was last seen, and the evidence sections of its latest applied inventory.
 */
@Entity({ tableName: 'machine_inventory' })
@Index({ name: 'machine_inventory_last_report_idx', properties: ['lastReportAt', 'machineId'] })
@Index({ name: 'machine_inventory_body_hash_idx', properties: ['bodyHash'] })
export class MachineInventory {
  [OptionalProps]?: 'lastCollectedAt' | 'antivirus' | 'licenseKeys' | 'operatingSystem' | 'bodyHash' | 'bodyReportId';

  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'string', length: 32 })
  source!: string;

  @Property({ type: 'string', length: 255 })
  deviceId!: string;

  /** Last time any accepted inventory arrived, identical re-sends included: the machine's last-seen time. */
  @Property({ type: 'timestamptz' })
  lastReportAt!: Date;

  /** When the installation set was last replaced. */
  @Property({ type: 'timestamptz' })
  lastAppliedAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  lastCollectedAt: Date | null = null;

  @Property({ type: 'string', length: 64 })
  checksum!: string;

  @Property({ type: 'string', length: 1024, nullable: true })
  operatingSystem: string | null = null;

  /** Antivirus products the agent reported (name, version, publisher, enabled, up to date). */
  @Property({ type: 'jsonb', default: '[]' })
  antivirus: unknown[] = [];

  /** License-key evidence with masked keys only (name, product id, masked key). */
  @Property({ type: 'jsonb', default: '[]' })
  licenseKeys: unknown[] = [];

  /**
   * sha256 of the latest accepted request body whose content is the current one (its media type and bytes as
   * sent): a byte-identical re-send is answered from this and `bodyReportId` without being parsed.
   */
  @Property({ type: 'string', length: 64, nullable: true })
  bodyHash: string | null = null;

  /** The report that carried that body: what a byte-identical re-send's own report copies. */
  @Property({ type: 'bigint', nullable: true })
  bodyReportId: string | null = null;
}

/**
 * A title installed on a machine. The raw title lives once in `software_title` (with its recognition), so a fleet
 * of 100,000 machines x 50 installs normalizes a few thousand distinct titles, not five million rows.
 *
 * The ingest writes hundreds of these per inventory, so the table carries only what reads need: the natural key
 * (machine, title, arch, OS flag) is the primary key — no surrogate id, sequence and extra index to maintain — and
 * `title_id` has no foreign key, which would cost a lookup in `software_title` per inserted row. Titles are
 * append-only (never deleted; their id is a hash of their text, so never updated either), and the ingest stores a
 * report's new titles in the same transaction as its installations, so every `title_id` has its title.
 */
@Entity({ tableName: 'installation' })
@Index({ name: 'installation_title_idx', properties: ['titleId'] })
export class Installation {
  [OptionalProps]?: 'firstSeenAt' | 'lastSeenAt';

  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  /** `software_title.id` (no foreign key: see above). */
  @PrimaryKey({ type: 'uuid' })
  titleId!: string;

  /** Architecture as reported; '' when the agent gave none (so it can take part in the key). */
  @PrimaryKey({ type: 'string', length: 64, default: '' })
  arch = '';

  /** The operating system counts as an installation of its own, so OS compliance works like any category. */
  @PrimaryKey({ type: 'boolean', default: false })
  isOperatingSystem = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  firstSeenAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastSeenAt: Date = new Date();
}
