import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** One inventory as an agent sent it: where from, when collected, and a checksum to recognise re-sends. */
@Entity({ tableName: 'inventory_report' })
@Index({ name: 'inventory_report_machine_idx', properties: ['machineId', 'receivedAt'] })
export class InventoryReport {
  [OptionalProps]?: 'receivedAt' | 'collectedAt' | 'tag';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  machineId!: string;

  /** OCS, FUSIONINVENTORY or GLPI. */
  @Property({ type: 'string', length: 32 })
  source!: string;

  @Property({ type: 'string', length: 255 })
  deviceId!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  tag: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  receivedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  collectedAt: Date | null = null;

  @Property({ type: 'string', length: 64 })
  checksum!: string;

  @Property({ type: 'integer' })
  softwareCount!: number;

  /** APPLIED (replaced the machine's set), UNCHANGED (identical re-send) or STALE (older than the last applied). */
  @Property({ type: 'string', length: 16 })
  outcome!: string;
}

/** The latest applied inventory of each machine: what re-sends and older reports are compared with. */
@Entity({ tableName: 'machine_inventory' })
export class MachineInventory {
  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'timestamptz' })
  lastReportAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  lastCollectedAt: Date | null = null;

  @Property({ type: 'string', length: 64 })
  checksum!: string;
}

/** A title installed on a machine, as reported and as normalized. */
@Entity({ tableName: 'installation' })
@Index({ name: 'installation_machine_idx', properties: ['machineId', 'rawName', 'id'] })
export class Installation {
  [OptionalProps]?: 'rawVersion' | 'rawPublisher' | 'arch' | 'editionId' | 'firstSeenAt' | 'lastSeenAt' | 'isOperatingSystem';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'string', length: 512 })
  rawName!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  rawVersion: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  rawPublisher: string | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  arch: string | null = null;

  /** The operating system counts as an installation of its own, so OS compliance works like any category. */
  @Property({ type: 'boolean', default: false })
  isOperatingSystem = false;

  @Property({ type: 'uuid', nullable: true })
  editionId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  firstSeenAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastSeenAt: Date = new Date();
}
