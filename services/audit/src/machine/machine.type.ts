import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, DateTimeScalar } from '@genuine/kit';
import { EditionStub, editionStub } from '../edition/edition.type';
import { InventoryOutcome } from '../inventory/inventory.entity';
import type {
  AntivirusEvidence,
  InstallationRecord,
  InventoryReportRecord,
  LicenseKeyEvidence,
} from '../inventory/inventory.repository';

registerEnumType(InventoryOutcome, {
  name: 'InventoryOutcome',
  description: 'What became of a received inventory.',
  valuesConfig: {
    APPLIED: { description: "It replaced the machine's installation set." },
    UNCHANGED: { description: "It was identical to the machine's current inventory; only the last-seen time moved." },
    STALE: { description: 'It was collected before the current inventory and was ignored.' },
    REJECTED: { description: 'It was refused (see reason); nothing of it was stored.' },
  },
});

/** The registry's Machine, extended here with what inventories say about it. */
@Directive('@key(fields: "id")')
@ObjectType('Machine', { description: 'A computer registered as a hardware asset of an org unit.' })
export class MachineStub {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;
}

@ObjectType('Installation', { description: 'A software title found installed on a machine by an inventory agent.' })
export class InstallationType {
  @Field(() => String, { description: 'Title as the agent reported it (runs of whitespace collapsed).' })
  rawName!: string;

  @Field(() => String, { nullable: true, description: 'Version as reported.' })
  rawVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'Publisher as reported.' })
  rawPublisher!: string | null;

  @Field(() => String, { nullable: true, description: 'Architecture as reported (x86_64, i586, amd64...).' })
  arch!: string | null;

  @Field(() => Boolean, { description: "True for the machine's operating system, which agents report outside the software list." })
  operatingSystem!: boolean;

  @Field(() => EditionStub, { nullable: true, description: 'The catalogue edition the normalization rules map this title to; null when ignored or unrecognized.' })
  edition!: EditionStub | null;

  @Field(() => Boolean, { description: 'True when a rule marks the title as not licensing-relevant (updates, drivers, runtimes).' })
  ignored!: boolean;

  @Field(() => Boolean, { description: 'True when some rule decided the title (an edition or IGNORE); false for unrecognized titles.' })
  recognized!: boolean;

  @Field(() => DateTimeScalar, { description: 'When an inventory of this machine first listed the title.' })
  firstSeenAt!: Date;

  @Field(() => DateTimeScalar, { description: "When the machine's installation set last listed it (identical re-sends do not move it)." })
  lastSeenAt!: Date;
}

export function toInstallationType(record: InstallationRecord): InstallationType {
  return Object.assign(new InstallationType(), {
    rawName: record.rawName,
    rawVersion: record.rawVersion,
    rawPublisher: record.rawPublisher,
    arch: record.arch === '' ? null : record.arch,
    operatingSystem: record.isOperatingSystem,
    edition: editionStub(record.editionId),
    ignored: record.ignored,
    recognized: record.recognized,
    firstSeenAt: record.firstSeenAt,
    lastSeenAt: record.lastSeenAt,
  });
}

export const InstallationConnection = ConnectionType(InstallationType, 'InstallationConnection', 'installation');

@ObjectType('InventoryReport', { description: 'One inventory an agent sent for a machine, and what became of it.' })
export class InventoryReportType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'The agent that sent it: OCS, FUSIONINVENTORY or GLPI.' })
  source!: string;

  @Field(() => String, { description: "The agent's own device id." })
  deviceId!: string;

  @Field(() => String, { nullable: true, description: 'The TAG (org unit code) the agent sent.' })
  tag!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the report arrived.' })
  receivedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the agent collected it, when it says.' })
  collectedAt!: Date | null;

  @Field(() => Boolean, { description: 'True for a partial inventory (GLPI agents send only the sections that changed).' })
  partial!: boolean;

  @Field(() => Int, { description: 'How many software entries it listed.' })
  softwareCount!: number;

  @Field(() => InventoryOutcome, { description: 'What became of it.' })
  outcome!: InventoryOutcome;

  @Field(() => String, { nullable: true, description: 'Why it was refused, for REJECTED reports.' })
  reason!: string | null;
}

export function toInventoryReportType(record: InventoryReportRecord): InventoryReportType {
  return Object.assign(new InventoryReportType(), {
    id: record.id,
    source: record.source,
    deviceId: record.deviceId,
    tag: record.tag,
    receivedAt: record.receivedAt,
    collectedAt: record.collectedAt,
    partial: record.partial,
    softwareCount: record.softwareCount,
    outcome: record.outcome,
    reason: record.reason,
  });
}

export const InventoryReportConnection = ConnectionType(InventoryReportType, 'InventoryReportConnection', 'inventory report');

@ObjectType('AntivirusEvidence', { description: 'An antivirus product the latest inventory reported, kept as evidence.' })
export class AntivirusEvidenceType {
  @Field(() => String, { description: 'Product name as reported.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Version as reported.' })
  version!: string | null;

  @Field(() => String, { nullable: true, description: 'Publisher as reported.' })
  publisher!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether real-time protection was on, when reported.' })
  enabled!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether its signatures were up to date, when reported.' })
  upToDate!: boolean | null;
}

export function toAntivirusEvidenceType(record: AntivirusEvidence): AntivirusEvidenceType {
  return Object.assign(new AntivirusEvidenceType(), record);
}

@ObjectType('LicenseKeyEvidence', { description: 'A product key the latest inventory reported; only a masked form is ever stored.' })
export class LicenseKeyEvidenceType {
  @Field(() => String, { description: 'The product the key belongs to, as reported.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Product id as reported.' })
  productId!: string | null;

  @Field(() => String, { nullable: true, description: 'The key with all but its last five letters or digits masked.' })
  keyMasked!: string | null;
}

export function toLicenseKeyEvidenceType(record: LicenseKeyEvidence): LicenseKeyEvidenceType {
  return Object.assign(new LicenseKeyEvidenceType(), record);
}

export const StaleMachineConnection = ConnectionType(MachineStub, 'StaleMachineConnection', 'stale machine');
