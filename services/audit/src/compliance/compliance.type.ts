import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ComplianceStatus, ConnectionType, DateScalar, Money, SoftwareCategory } from '@genuine/kit';
import { EditionStub } from '../edition/edition.type';
import { MachineStub } from '../machine/machine.type';

export enum CoverageBasis {
  DEVICE = 'DEVICE',
  USER = 'USER',
  SITE = 'SITE',
  OEM = 'OEM',
  POOL = 'POOL',
  FREE = 'FREE',
}
registerEnumType(CoverageBasis, {
  name: 'CoverageBasis',
  description: 'What covers an installation (DESIGN rule 2).',
  valuesConfig: {
    DEVICE: { description: 'A seat assigned to the machine.' },
    USER: { description: "A per-user seat held by the machine's operator." },
    SITE: { description: 'A site license of the unit or an ancestor.' },
    OEM: { description: 'An OEM license bound to the machine.' },
    POOL: { description: 'A seat taken automatically from a pooled entitlement of the unit or an ancestor.' },
    FREE: { description: 'The product needs no license.' },
  },
});

/** The registry's OrgUnit, extended here with its compliance figures. */
@Directive('@key(fields: "id")')
@ObjectType('OrgUnit', { description: 'A unit of the organisation: a province, county, department, township office...' })
export class OrgUnitStub {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;
}

@ObjectType('CategoryCompliance', { description: 'Machines of a scope by status in one category.' })
export class CategoryComplianceType {
  @Field(() => SoftwareCategory, { description: 'The category.' })
  category!: SoftwareCategory;

  @Field(() => Int, { description: 'All machines in scope.' })
  machineCount!: number;

  @Field(() => Int, { description: 'Machines whose every licensable install of the category is covered.' })
  licensed!: number;

  @Field(() => Int, { description: 'Machines with at least one uncovered licensable install of the category.' })
  unlicensed!: number;

  @Field(() => Int, { description: 'Machines with nothing of the category installed.' })
  missing!: number;

  @Field(() => Float, { description: 'LICENSED machines / all machines in scope, a fraction in [0, 1].' })
  rate!: number;
}

@ObjectType('OrgUnitCompliance', { description: "A unit's compliance, alone or with its descendants." })
export class OrgUnitComplianceType {
  @Field(() => Int, { description: 'Machines in scope.' })
  machineCount!: number;

  @Field(() => Int, { description: 'Machines LICENSED in every tracked category (operating system, office suite, antivirus).' })
  fullyLicensed!: number;

  @Field(() => [CategoryComplianceType], { description: 'One entry per category, tracked categories first.' })
  categories!: CategoryComplianceType[];

  @Field(() => Money, { description: 'Uncovered installs x unit cost, in the main currency (CNY when there is nothing to buy).' })
  shortfallCost!: Money;

  @Field(() => [Money], { description: 'The shortfall cost per currency, when editions are priced in several.' })
  shortfallCosts!: Money[];
}

@ObjectType('MachineCategoryStatus', { description: "A machine's standing in one category." })
export class MachineCategoryStatusType {
  @Field(() => SoftwareCategory, { description: 'The category.' })
  category!: SoftwareCategory;

  @Field(() => ComplianceStatus, { description: 'LICENSED, UNLICENSED or MISSING.' })
  status!: ComplianceStatus;
}

@ObjectType('InstallCoverage', { description: 'One recognized edition on a machine and what covers it, or why nothing does.' })
export class InstallCoverageType {
  @Field(() => MachineStub, { description: 'The machine.' })
  machine!: MachineStub;

  @Field(() => EditionStub, { description: 'The installed edition.' })
  edition!: EditionStub;

  @Field(() => SoftwareCategory, { description: 'Its category.' })
  category!: SoftwareCategory;

  @Field(() => Boolean, { description: 'Whether the product needs a license at all.' })
  licensable!: boolean;

  @Field(() => CoverageBasis, { nullable: true, description: 'What covers it; null when nothing does.' })
  coveredBy!: CoverageBasis | null;

  @Field(() => ID, { nullable: true, description: 'The covering entitlement.' })
  entitlementId!: string | null;

  @Field(() => String, { description: 'The reason, in words.' })
  reason!: string;
}

@ObjectType('LicensePosition', { description: 'Installs against seats for one edition (DESIGN rule 6).' })
export class LicensePositionType {
  @Field(() => EditionStub, { description: 'The edition.' })
  edition!: EditionStub;

  @Field(() => SoftwareCategory, { description: "The edition's category." })
  category!: SoftwareCategory;

  @Field(() => Int, { description: 'Machines with the edition installed.' })
  installs!: number;

  @Field(() => Int, { description: 'Of those, covered by any license.' })
  covered!: number;

  @Field(() => Int, { description: 'Seats of active entitlements of the edition owned here.' })
  entitled!: number;

  @Field(() => Int, { description: 'Of those, held by machines or people.' })
  assigned!: number;

  @Field(() => Int, { description: 'Of those, taken automatically from the pool.' })
  pooled!: number;

  @Field(() => Int, { description: 'Installs left uncovered.' })
  shortfall!: number;

  @Field(() => Int, { description: 'Seats unused.' })
  surplus!: number;

  @Field(() => Money, { nullable: true, description: 'List price, or the latest purchase price without one.' })
  unitCost!: Money | null;

  @Field(() => Money, { nullable: true, description: 'Shortfall x unit cost.' })
  shortfallCost!: Money | null;
}

@ObjectType('ReclaimableSeat', { description: 'A seat held by a machine on which it covers nothing installed.' })
export class ReclaimableSeatType {
  @Field(() => ID, { description: 'The assignment to revoke.' })
  assignmentId!: string;

  @Field(() => ID, { description: 'Its entitlement.' })
  entitlementId!: string;

  @Field(() => MachineStub, { description: 'The machine holding it.' })
  machine!: MachineStub;
}

@ObjectType('ExpiringEntitlement', { description: 'An entitlement whose validity ends soon.' })
export class ExpiringEntitlementType {
  @Field(() => ID, { description: 'The entitlement.' })
  entitlementId!: string;

  @Field(() => DateScalar, { description: 'Its last valid day.' })
  validUntil!: string;
}

@ObjectType('RecomputeResult', { description: 'What a full recompute did.' })
export class RecomputeResultType {
  @Field(() => Boolean, { description: 'False when another recompute held the engine; nothing was done.' })
  ran!: boolean;

  @Field(() => Int, { description: 'Machines recomputed.' })
  machines!: number;
}

export const LicensePositionConnection = ConnectionType(LicensePositionType, 'LicensePositionConnection', 'license position');
export const InstallCoverageConnection = ConnectionType(InstallCoverageType, 'InstallCoverageConnection', 'uncovered installation');
