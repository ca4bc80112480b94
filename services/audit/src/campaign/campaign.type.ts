import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ComplianceStatus, ConnectionType, DateScalar, DateTimeScalar, SoftwareCategory } from '@genuine/kit';
import { OrgUnitStub } from '../compliance/compliance.type';
import { MachineStub } from '../machine/machine.type';
import type { CampaignRecord, Figures, RoundRecord, SampledMachineRow, SelfReportRecord, SpotCheckRecord, UnitComparison, UnitProgressRecord } from './campaign.repository';
import { currentDeadline } from './campaign.service';

export enum CampaignPhase {
  SELF_CHECK = 'SELF_CHECK',
  REMEDIATION = 'REMEDIATION',
  ACCEPTANCE = 'ACCEPTANCE',
  CLOSED = 'CLOSED',
}
registerEnumType(CampaignPhase, {
  name: 'CampaignPhase',
  description: "A campaign's phases, in order.",
  valuesConfig: {
    SELF_CHECK: { description: 'Units count their computers and licensed software and submit self-reports.' },
    REMEDIATION: { description: 'Missing licenses are bought and installed; unlicensed software is replaced.' },
    ACCEPTANCE: { description: 'Inspectors spot-check units and the results are accepted.' },
    CLOSED: { description: 'The campaign is over; nothing more is recorded.' },
  },
});

export enum InspectionFinding {
  FOUND_LICENSED = 'FOUND_LICENSED',
  FOUND_UNLICENSED = 'FOUND_UNLICENSED',
  FOUND_MISSING = 'FOUND_MISSING',
}
registerEnumType(InspectionFinding, {
  name: 'InspectionFinding',
  description: 'What an inspector found on a sampled machine in one category.',
  valuesConfig: {
    FOUND_LICENSED: { description: 'The software of the category is licensed.' },
    FOUND_UNLICENSED: { description: 'Software of the category is installed without a license.' },
    FOUND_MISSING: { description: 'Nothing of the category is installed.' },
  },
});

export enum CampaignFigure {
  COMPUTERS = 'COMPUTERS',
  DESKTOPS = 'DESKTOPS',
  LAPTOPS = 'LAPTOPS',
  OPERATORS = 'OPERATORS',
  LICENSED = 'LICENSED',
}
registerEnumType(CampaignFigure, {
  name: 'CampaignFigure',
  description: 'A figure of the self-check form.',
  valuesConfig: {
    COMPUTERS: { description: 'Computers in use (measured: active machines of the unit and its descendants).' },
    DESKTOPS: { description: 'Of those, desktops (measured: machines of kind DESKTOP).' },
    LAPTOPS: { description: 'Of those, laptops (measured: machines of kind LAPTOP).' },
    OPERATORS: { description: 'People operating them (measured: distinct operators of those machines).' },
    LICENSED: { description: 'Computers licensed in one category (measured: machines the compliance engine finds LICENSED).' },
  },
});

/** What maps an inspector's finding to the engine's status it should equal. */
export const findingStatus: Record<InspectionFinding, ComplianceStatus> = {
  FOUND_LICENSED: ComplianceStatus.LICENSED,
  FOUND_UNLICENSED: ComplianceStatus.UNLICENSED,
  FOUND_MISSING: ComplianceStatus.MISSING,
};

const orgUnit = (id: string) => Object.assign(new OrgUnitStub(), { id });

@ObjectType('Campaign', { description: 'A software legalization campaign over an org-unit subtree: self-check, remediation, acceptance.' })
export class CampaignType {
  /** The stored campaign, for the field resolvers; not exposed. */
  record!: CampaignRecord;

  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Name, e.g. "2026 legalization of district government offices".' })
  name!: string;


  @Field(() => [SoftwareCategory], { description: 'Categories the units report and inspectors check.' })
  trackedCategories!: SoftwareCategory[];

  @Field(() => Int, { description: 'Depth below the root of the units expected to report (shallower units without children report too); 1 = the root\u2019s children.' })
  reportingDepth!: number;

  @Field(() => CampaignPhase, { description: 'The current phase.' })
  phase!: CampaignPhase;

  @Field(() => DateTimeScalar, { description: 'When the current phase began.' })
  phaseStartedAt!: Date;

  @Field(() => DateScalar, { nullable: true, description: 'The deadline of the current phase; null once closed.' })
  currentDeadline!: string | null;

  @Field(() => DateScalar, { description: 'Last day for self-reports.' })
  selfCheckDeadline!: string;

  @Field(() => DateScalar, { description: 'Last day of remediation.' })
  remediationDeadline!: string;

  @Field(() => DateScalar, { description: 'Last day of acceptance.' })
  acceptanceDeadline!: string;

  @Field(() => DateTimeScalar, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => String, { description: 'Who created it.' })
  createdBy!: string;
}

export function toCampaignType(c: CampaignRecord): CampaignType {
  return Object.assign(new CampaignType(), {
    ...c,
    record: c,
    trackedCategories: c.trackedCategories as SoftwareCategory[],
    phase: c.phase as CampaignPhase,
    currentDeadline: currentDeadline(c),
  });
}

@ObjectType('CategoryCount', { description: 'A count in one software category.' })
export class CategoryCountType {
  @Field(() => SoftwareCategory, { description: 'The category.' })
  category!: SoftwareCategory;

  @Field(() => Int, { description: 'The count.' })
  count!: number;
}

@ObjectType('SelfReport', { description: "A unit's self-report (the self-check form), one revision of it." })
export class SelfReportType {
  @Field(() => ID, { description: 'Stable identifier of this revision.' })
  id!: string;

  @Field(() => ID, { description: 'The campaign.' })
  campaignId!: string;

  @Field(() => OrgUnitStub, { description: 'The reporting unit; its figures cover its descendants too.' })
  orgUnit!: OrgUnitStub;

  @Field(() => Int, { description: 'Revision number, 1 for the first submission.' })
  revision!: number;

  @Field(() => Boolean, { description: 'Whether this is the current revision.' })
  current!: boolean;

  @Field(() => Int, { description: 'Computers declared.' })
  computers!: number;

  @Field(() => Int, { description: 'Desktops declared.' })
  desktops!: number;

  @Field(() => Int, { description: 'Laptops declared.' })
  laptops!: number;

  @Field(() => Int, { description: 'Operators (people using the computers) declared.' })
  operators!: number;

  @Field(() => [CategoryCountType], { description: 'Licensed computers declared per tracked category.' })
  licensed!: CategoryCountType[];

  @Field(() => DateTimeScalar, { description: 'When this revision was submitted.' })
  submittedAt!: Date;

  @Field(() => String, { description: 'Who submitted it.' })
  submittedBy!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When a later revision replaced it; null for the current one.' })
  supersededAt!: Date | null;
}

const categoryOrder = Object.values(SoftwareCategory) as string[];
const countsOf = (licensed: Record<string, number>) =>
  Object.entries(licensed)
    .sort(([a], [b]) => categoryOrder.indexOf(a) - categoryOrder.indexOf(b))
    .map(([category, count]) => Object.assign(new CategoryCountType(), { category: category as SoftwareCategory, count }));

export function toSelfReportType(r: SelfReportRecord): SelfReportType {
  return Object.assign(new SelfReportType(), { ...r, orgUnit: orgUnit(r.orgUnitId), current: r.supersededAt === null, licensed: countsOf(r.licensed) });
}

@ObjectType('CampaignUnitProgress', { description: "A reporting unit's progress through the campaign's phases." })
export class UnitProgressType {
  @Field(() => OrgUnitStub, { description: 'The unit.' })
  orgUnit!: OrgUnitStub;

  @Field(() => Int, { description: 'Depth below the campaign root.' })
  depth!: number;

  @Field(() => Boolean, { description: 'SELF_CHECK: whether the unit has submitted its self-report.' })
  submitted!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'SELF_CHECK: when the current revision was submitted.' })
  submittedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'SELF_CHECK: the current revision.' })
  revision!: number | null;

  @Field(() => Boolean, { description: 'SELF_CHECK: whether the first submission came after the self-check deadline (UTC).' })
  late!: boolean;

  @Field(() => Boolean, { description: 'SELF_CHECK: no self-report and the self-check deadline has passed (UTC).' })
  overdue!: boolean;

  @Field(() => Int, { description: 'ACCEPTANCE: spot checks drawn for the unit.' })
  spotChecks!: number;

  @Field(() => Int, { description: 'ACCEPTANCE: of those, checks with a finding for every sampled machine and tracked category.' })
  completedSpotChecks!: number;
}

export function toUnitProgressType(p: UnitProgressRecord, campaign: CampaignRecord, asOf: string): UnitProgressType {
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
  const first = day(p.firstSubmittedAt);
  return Object.assign(new UnitProgressType(), {
    orgUnit: orgUnit(p.orgUnitId),
    depth: p.depth,
    submitted: p.revision !== null,
    submittedAt: p.submittedAt,
    revision: p.revision,
    late: first !== null && first > campaign.selfCheckDeadline,
    overdue: p.revision === null && asOf > campaign.selfCheckDeadline,
    spotChecks: p.spotChecks,
    completedSpotChecks: p.completeSpotChecks,
  });
}

@ObjectType('FigureComparison', { description: 'One figure as declared and as measured.' })
export class FigureComparisonType {
  @Field(() => CampaignFigure, { description: 'Which figure.' })
  figure!: CampaignFigure;

  @Field(() => SoftwareCategory, { nullable: true, description: 'The category of a LICENSED figure; null otherwise.' })
  category!: SoftwareCategory | null;

  @Field(() => Int, { nullable: true, description: 'As the unit declared it; null without a self-report.' })
  declared!: number | null;

  @Field(() => Int, { description: 'As measured from the registry and the compliance engine, over the unit and its descendants.' })
  measured!: number;

  @Field(() => Int, { nullable: true, description: 'declared - measured (positive: over-declared); null without a self-report.' })
  difference!: number | null;
}

@ObjectType('UnitDiscrepancy', { description: "A unit's declared figures beside the measured ones." })
export class UnitDiscrepancyType {
  @Field(() => OrgUnitStub, { description: 'The unit.' })
  orgUnit!: OrgUnitStub;

  @Field(() => Int, { description: 'Depth below the campaign root.' })
  depth!: number;

  @Field(() => Int, { nullable: true, description: 'The self-report revision compared; null when the unit has not reported.' })
  selfReportRevision!: number | null;

  @Field(() => [FigureComparisonType], { description: 'Computers, desktops, laptops, operators, then licensed per tracked category.' })
  figures!: FigureComparisonType[];

  @Field(() => Boolean, { description: 'Whether any declared figure differs from the measured one.' })
  differs!: boolean;
}

export function toUnitDiscrepancyType(u: UnitComparison, trackedCategories: readonly string[]): UnitDiscrepancyType {
  const d: Figures | null = u.declared;
  const compare = (figure: CampaignFigure, category: string | null, declared: number | null, measured: number) =>
    Object.assign(new FigureComparisonType(), {
      figure,
      category: category as SoftwareCategory | null,
      declared,
      measured,
      difference: declared === null ? null : declared - measured,
    });
  const figures = [
    compare(CampaignFigure.COMPUTERS, null, d?.computers ?? null, u.measured.computers),
    compare(CampaignFigure.DESKTOPS, null, d?.desktops ?? null, u.measured.desktops),
    compare(CampaignFigure.LAPTOPS, null, d?.laptops ?? null, u.measured.laptops),
    compare(CampaignFigure.OPERATORS, null, d?.operators ?? null, u.measured.operators),
    ...trackedCategories.map((c) => compare(CampaignFigure.LICENSED, c, d?.licensed[c] ?? null, u.measured.licensed[c] ?? 0)),
  ];
  return Object.assign(new UnitDiscrepancyType(), {
    orgUnit: orgUnit(u.orgUnitId),
    depth: u.depth,
    selfReportRevision: u.revision,
    figures,
    differs: figures.some((f) => f.difference !== null && f.difference !== 0),
  });
}

@ObjectType('SpotCheckFinding', { description: "An inspector's finding on a sampled machine in one category, beside the engine's status." })
export class SpotCheckFindingType {
  @Field(() => SoftwareCategory, { description: 'The category inspected.' })
  category!: SoftwareCategory;

  @Field(() => InspectionFinding, { description: 'What the inspector found.' })
  finding!: InspectionFinding;

  @Field(() => String, { nullable: true, description: "The inspector's note." })
  note!: string | null;

  @Field(() => ComplianceStatus, { nullable: true, description: "The compliance engine's current status of the machine in the category; null when not evaluated." })
  engineStatus!: ComplianceStatus | null;

  @Field(() => Boolean, { nullable: true, description: "Whether the finding agrees with the engine's status; null when the engine has no status." })
  matchesEngine!: boolean | null;

  @Field(() => DateTimeScalar, { description: 'When it was recorded.' })
  recordedAt!: Date;

  @Field(() => String, { description: 'Who recorded it.' })
  recordedBy!: string;
}

@ObjectType('SampledMachine', { description: 'A machine drawn into a spot-check sample.' })
export class SampledMachineType {
  @Field(() => Int, { description: 'Position in the draw order, from 1.' })
  position!: number;

  @Field(() => MachineStub, { description: 'The machine.' })
  machine!: MachineStub;

  @Field(() => [SpotCheckFindingType], { description: 'Findings recorded so far, one per category.' })
  findings!: SpotCheckFindingType[];
}

@ObjectType('SpotCheckDiscrepancy', { description: "Findings against the engine's status for the inspected machines of one category." })
export class SpotCheckDiscrepancyType {
  @Field(() => SoftwareCategory, { description: 'The category.' })
  category!: SoftwareCategory;

  @Field(() => Int, { description: 'Sampled machines with a finding in the category.' })
  inspected!: number;

  @Field(() => Int, { description: 'Of those, found licensed.' })
  foundLicensed!: number;

  @Field(() => Int, { description: 'Of those, found unlicensed.' })
  foundUnlicensed!: number;

  @Field(() => Int, { description: 'Of those, found without software of the category.' })
  foundMissing!: number;

  @Field(() => Int, { description: 'Of the inspected machines, those the engine finds LICENSED.' })
  engineLicensed!: number;

  @Field(() => Int, { description: 'foundLicensed - engineLicensed.' })
  licensedDifference!: number;

  @Field(() => Int, { description: "Findings that differ from the engine's status (a missing status counts as differing)." })
  mismatches!: number;
}

export function toSampledMachines(rows: SampledMachineRow[]): SampledMachineType[] {
  const out: SampledMachineType[] = [];
  for (const row of rows) {
    let current = out[out.length - 1];
    if (!current || current.machine.id !== row.machineId) {
      current = Object.assign(new SampledMachineType(), { position: row.position, machine: Object.assign(new MachineStub(), { id: row.machineId }), findings: [] });
      out.push(current);
    }
    if (row.category !== null && row.finding !== null) {
      const finding = row.finding as InspectionFinding;
      current.findings.push(
        Object.assign(new SpotCheckFindingType(), {
          category: row.category as SoftwareCategory,
          finding,
          note: row.note,
          engineStatus: row.engineStatus as ComplianceStatus | null,
          matchesEngine: row.engineStatus === null ? null : findingStatus[finding] === row.engineStatus,
          recordedAt: row.recordedAt ?? new Date(0),
          recordedBy: row.recordedBy ?? '',
        }),
      );
    }
  }
  return out;
}

export function toSpotCheckDiscrepancies(rows: SampledMachineRow[], trackedCategories: readonly string[]): SpotCheckDiscrepancyType[] {
  return trackedCategories.map((category) => {
    const found = rows.filter((r) => r.category === category && r.finding !== null);
    const count = (f: InspectionFinding) => found.filter((r) => r.finding === f).length;
    const foundLicensed = count(InspectionFinding.FOUND_LICENSED);
    const engineLicensed = found.filter((r) => r.engineStatus === ComplianceStatus.LICENSED).length;
    return Object.assign(new SpotCheckDiscrepancyType(), {
      category: category as SoftwareCategory,
      inspected: found.length,
      foundLicensed,
      foundUnlicensed: count(InspectionFinding.FOUND_UNLICENSED),
      foundMissing: count(InspectionFinding.FOUND_MISSING),
      engineLicensed,
      licensedDifference: foundLicensed - engineLicensed,
      mismatches: found.filter((r) => findingStatus[r.finding as InspectionFinding] !== r.engineStatus).length,
    });
  });
}

@ObjectType('SpotCheck', { description: "A reproducible random sample of a unit's machines and the inspectors' findings on them." })
export class SpotCheckType {
  /** The stored spot check, for the field resolvers; not exposed. */
  record!: SpotCheckRecord;

  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The campaign.' })
  campaignId!: string;

  @Field(() => OrgUnitStub, { description: 'The unit whose machines (with its descendants\u2019) were sampled.' })
  orgUnit!: OrgUnitStub;

  @Field(() => String, { description: 'The seed: machines are ordered by md5(seed || machine id) and the first sampleSize taken.' })
  seed!: string;

  @Field(() => Int, { description: 'The sample size asked for.' })
  requestedSize!: number;

  @Field(() => Int, { description: 'Machines in the sample (fewer than asked when the unit has fewer).' })
  sampleSize!: number;

  @Field(() => DateTimeScalar, { description: 'When it was drawn.' })
  drawnAt!: Date;

  @Field(() => String, { description: 'Who drew it.' })
  drawnBy!: string;
}

export function toSpotCheckType(s: SpotCheckRecord): SpotCheckType {
  return Object.assign(new SpotCheckType(), { ...s, record: s, orgUnit: orgUnit(s.orgUnitId) });
}

@ObjectType('CampaignRound', { description: 'A published round: the declared and measured figures of every unit as they stood when it was published.' })
export class CampaignRoundType {
  /** The stored round, for the field resolvers; not exposed. */
  record!: RoundRecord;

  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The campaign.' })
  campaignId!: string;

  @Field(() => Int, { description: 'Round number within the campaign, from 1.' })
  number!: number;

  @Field(() => String, { nullable: true, description: 'Label, e.g. "self-check results".' })
  label!: string | null;

  @Field(() => CampaignPhase, { description: 'The phase the campaign was in when the round was published.' })
  phase!: CampaignPhase;

  @Field(() => DateTimeScalar, { description: 'When it was published; its figures are as of this moment.' })
  publishedAt!: Date;

  @Field(() => String, { description: 'Who published it.' })
  publishedBy!: string;
}

export function toRoundType(r: RoundRecord): CampaignRoundType {
  return Object.assign(new CampaignRoundType(), { ...r, record: r, phase: r.phase as CampaignPhase });
}

export const CampaignConnection = ConnectionType(CampaignType, 'CampaignConnection', 'campaign');
export const CampaignUnitProgressConnection = ConnectionType(UnitProgressType, 'CampaignUnitProgressConnection', 'unit progress entry');
export const SelfReportConnection = ConnectionType(SelfReportType, 'SelfReportConnection', 'self-report');
export const UnitDiscrepancyConnection = ConnectionType(UnitDiscrepancyType, 'UnitDiscrepancyConnection', 'unit discrepancy');
export const SpotCheckConnection = ConnectionType(SpotCheckType, 'SpotCheckConnection', 'spot check');
export const CampaignRoundConnection = ConnectionType(CampaignRoundType, 'CampaignRoundConnection', 'round');
