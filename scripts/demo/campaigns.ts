import type { MikroORM } from '@mikro-orm/postgresql';
import { Role, sqlArray, type Actor, type Logger } from '@genuine/kit';
import { createAuditContext } from '@genuine/audit';
import type { CampaignRecord } from '@genuine/audit/src/campaign/campaign.repository';
import { today } from '@genuine/audit/src/campaign/campaign.service';
import { TRACKED, type DemoPlan, type IntendedStatus, type TrackedCategory } from './plan';

/**
 * The demo's campaigns (DESIGN → Demo data: "a running campaign per district/county with self-reports that differ
 * from the measured figures"), as data, and the steps that play them through the audit CampaignService with the
 * actors who would take them: the campaign office (an AUDITOR scoped to the district or county), each reporting
 * unit's asset manager (an ASSET_MANAGER scoped to that unit), the inspection team.
 *
 * The story follows the seed. Nanxun's units file their self-check forms; many forms are right, some are not (a
 * unit "knows" its pre-installed Windows is genuine, counts every installed Office as licensed, or counts scrapped
 * machines); the office publishes the first summary, spot-checks the police bureau, the bureau and Shuanglin file
 * corrected forms after the training meeting, the corrected summary is published and the campaign moves on to
 * remediation — except that 石淙镇 never reported. Luonan's campaign has just started: five of its twenty agencies
 * have reported, the deadline is two weeks away.
 *
 * Deadlines are days relative to the first start (UTC), so the campaigns are running whenever the demo is loaded.
 * Every self-report is submitted on that day, on or before its deadline, so none is late; Nanxun's self-check
 * deadline is that very day, so the unit that did not report is overdue from the next day on.
 */

export type Form = { computers: number; desktops: number; laptops: number; operators: number; licensed: Record<TrackedCategory, number> };

/** A self-report: the form as filed, or `counted`: exactly what is on the unit's machines (what the agents find). */
export interface DemoSelfReport {
  unit: string;
  form: Form | 'counted';
}

const form = (computers: number, desktops: number, laptops: number, operators: number, os: number, office: number, antivirus: number): Form => ({
  computers,
  desktops,
  laptops,
  operators,
  licensed: { OPERATING_SYSTEM: os, OFFICE: office, ANTIVIRUS: antivirus },
});
const counted = (unit: string): DemoSelfReport => ({ unit, form: 'counted' });

export interface DemoCampaign {
  name: string;
  root: string;
  reportingDepth: number;
  /** Days from the first start. */
  deadlines: { selfCheck: number; remediation: number; acceptance: number };
  /** Revision 1 of each unit that reports, in the order they come in. */
  firstReports: DemoSelfReport[];
}

/** The district's campaign goes further: a first summary, a spot check, corrected reports, a second summary. */
export interface SpotCheckedCampaign extends DemoCampaign {
  firstRoundLabel: string;
  spotCheck: { unit: string; sampleSize: number; seed: string };
  /** Revision 2 of some units' reports, after the spot check. */
  corrections: DemoSelfReport[];
  secondRoundLabel: string;
  /** The reporting unit that never reports. */
  notReporting: string;
}

export const NANXUN_CAMPAIGN: SpotCheckedCampaign = {
  name: '南浔区政府机关使用正版软件工作',
  root: 'nanxun',
  reportingDepth: 1,
  /** Days from the first start: self-check ends that day, remediation and acceptance follow (the seed: Feb → Aug). */
  deadlines: { selfCheck: 0, remediation: 60, acceptance: 90 },
  // 石淙镇 (nanxun-shicong) never reports.
  firstReports: [
    counted('nanxun-gov-office'),
    counted('nanxun-culture-sports'),
    counted('nanxun-development-reform'),
    counted('nanxun-science-tech'),
    // 区财政局: "the Windows came with the computers": 100 % operating systems declared, 44 of 56 licensed.
    { unit: 'nanxun-finance', form: form(56, 50, 6, 56, 56, 24, 56) },
    counted('nanxun-tourism'),
    // 区公安分局: laptops at the stations forgotten, and everything declared licensed.
    { unit: 'nanxun-public-security', form: form(130, 122, 8, 130, 130, 130, 130) },
    counted('nanxun-commerce'),
    counted('nanxun-info-center'),
    // 南浔镇: two scrapped desktops still on the list; shared desks counted once.
    { unit: 'nanxun-town', form: form(60, 50, 10, 55, 44, 30, 58) },
    // 双林镇: every installed Office counted as licensed.
    { unit: 'nanxun-shuanglin', form: form(52, 43, 9, 52, 38, 52, 52) },
    counted('nanxun-lianshi'),
    counted('nanxun-shanlian'),
    counted('nanxun-jiuguan'),
    counted('nanxun-linghu'),
    counted('nanxun-hefu'),
    counted('nanxun-qianjin'),
    // 南浔经济开发区管委会: everything declared licensed.
    { unit: 'nanxun-dev-zone', form: form(26, 21, 5, 26, 26, 26, 26) },
  ],
  firstRoundLabel: '首次自查汇总',
  /** The spot check of the police bureau's self-check, drawn by the office after the first summary. */
  spotCheck: { unit: 'nanxun-public-security', sampleSize: 10, seed: 'NXZBB-2011-CHOUCHA-01' },
  /** Revision 2 after the training meeting ("会后，各级政府机关按照会议部署重新进行了自查"). */
  corrections: [
    // 区公安分局: counted again, office right now, still sure about Windows.
    { unit: 'nanxun-public-security', form: form(138, 122, 16, 138, 138, 78, 138) },
    // 双林镇: now right.
    counted('nanxun-shuanglin'),
  ],
  secondRoundLabel: '复查后自查结果',
  notReporting: 'nanxun-shicong',
};

export const LUONAN_CAMPAIGN: DemoCampaign = {
  name: '洛南县政府机关使用正版软件工作',
  root: 'luonan',
  /** The county's agencies and the townships' (县级 / 镇级政府机关 are groupings, not reporting units). */
  reportingDepth: 2,
  deadlines: { selfCheck: 14, remediation: 150, acceptance: 180 },
  firstReports: [
    // 县公安局: 100 % operating systems declared, 214 of 312 licensed.
    { unit: 'luonan-public-security', form: form(312, 258, 54, 310, 312, 240, 260) },
    counted('luonan-finance'),
    // 县教育局: the school computer rooms half counted, and any office suite or antivirus counted as licensed.
    { unit: 'luonan-education', form: form(250, 220, 30, 250, 204, 220, 250) },
    counted('luonan-egov-center'),
    // 城关街道办事处: the Kaspersky whose license expired counted as licensed.
    { unit: 'luonan-chengguan', form: form(112, 102, 10, 91, 31, 31, 64) },
  ],
};

/** What the inspectors write when they find a machine's antivirus gone since its last inventory. */
export const UNINSTALLED_ANTIVIRUS_NOTE = '现场检查时杀毒软件已被卸载（盘点后），已责令重装';

/** What the unit's machines hold (from the plan, i.e. what its agents report): the form a careful unit files. */
export function countedForm(plan: DemoPlan, unit: string): Form {
  const machines = plan.machines.filter((m) => m.unitCode === unit);
  if (machines.length === 0) throw new Error(`the demo plan has no machine in ${unit}`);
  const licensed = Object.fromEntries(TRACKED.map((c) => [c, machines.filter((m) => m.intended[c] === 'LICENSED').length])) as Record<TrackedCategory, number>;
  return {
    computers: machines.length,
    desktops: machines.filter((m) => m.kind === 'DESKTOP').length,
    laptops: machines.filter((m) => m.kind === 'LAPTOP').length,
    operators: new Set(machines.map((m) => m.operator)).size,
    licensed,
  };
}

const FINDING: Record<IntendedStatus, string> = { LICENSED: 'FOUND_LICENSED', UNLICENSED: 'FOUND_UNLICENSED', MISSING: 'FOUND_MISSING' };

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Plays both campaigns through the CampaignService. Runs after the full recompute, since a round freezes the
 * measured figures as they stand. `log` is the services' request logger.
 */
export async function loadCampaigns(auditOrm: MikroORM, plan: DemoPlan, log: Logger): Promise<void> {
  const codes = [NANXUN_CAMPAIGN.root, LUONAN_CAMPAIGN.root, ...[...NANXUN_CAMPAIGN.firstReports, ...LUONAN_CAMPAIGN.firstReports].map((r) => r.unit)];
  const rows = await auditOrm.em.fork().execute<Array<{ id: string; code: string }>>(`select id, code from registry_public.org_unit where code = any(?::text[])`, [sqlArray(codes)]);
  const unitIds = new Map(rows.map((r) => [r.code, r.id]));
  const actor = (id: string, role: Role, unit: string): Actor => {
    const scopeUnitId = unitIds.get(unit);
    if (!scopeUnitId) throw new Error(`the demo campaigns need the unit ${unit}`);
    return { id: `demo:${id}`, role, scopeUnitId, scopeUnitCode: unit };
  };
  // Each step is one request of its own: a fresh context (entity manager, loaders) for the acting user.
  const as = (who: Actor) => createAuditContext({ em: auditOrm.em.fork(), actor: who, requestId: 'demo-campaigns', log }).services.campaign;
  const submit = async (campaign: CampaignRecord, report: DemoSelfReport) => {
    const figures = report.form === 'counted' ? countedForm(plan, report.unit) : report.form;
    const reporter = actor(`${report.unit}-asset-manager`, Role.ASSET_MANAGER, report.unit);
    await as(reporter).submitSelfReport(reporter, {
      campaignId: campaign.id,
      orgUnitCode: report.unit,
      computers: figures.computers,
      desktops: figures.desktops,
      laptops: figures.laptops,
      operators: figures.operators,
      licensed: TRACKED.map((category) => ({ category, count: figures.licensed[category] })),
    });
  };
  const day = today();
  const create = (spec: DemoCampaign, office: Actor) =>
    as(office).create(office, {
      name: spec.name,
      rootUnitCode: spec.root,
      trackedCategories: [...TRACKED],
      reportingDepth: spec.reportingDepth,
      selfCheckDeadline: addDays(day, spec.deadlines.selfCheck),
      remediationDeadline: addDays(day, spec.deadlines.remediation),
      acceptanceDeadline: addDays(day, spec.deadlines.acceptance),
    });

  // Nanxun: the leading group's office (at 区文化体育局) runs it.
  const nanxunOffice = actor('nanxun-legalization-office', Role.AUDITOR, NANXUN_CAMPAIGN.root);
  const nanxun = await create(NANXUN_CAMPAIGN, nanxunOffice);
  for (const report of NANXUN_CAMPAIGN.firstReports) await submit(nanxun, report);
  await as(nanxunOffice).publishRound(nanxunOffice, nanxun.id, NANXUN_CAMPAIGN.firstRoundLabel);

  const inspectors = actor('nanxun-inspection-team', Role.AUDITOR, NANXUN_CAMPAIGN.root);
  const { unit: checkedUnit, sampleSize, seed } = NANXUN_CAMPAIGN.spotCheck;
  const spotCheck = await as(nanxunOffice).drawSpotCheck(nanxunOffice, { campaignId: nanxun.id, orgUnitCode: checkedUnit, sampleSize, seed });
  await recordFindings(auditOrm, plan, spotCheck.id, inspectors, as);

  for (const report of NANXUN_CAMPAIGN.corrections) await submit(nanxun, report);
  await as(nanxunOffice).publishRound(nanxunOffice, nanxun.id, NANXUN_CAMPAIGN.secondRoundLabel);
  await as(nanxunOffice).advance(nanxunOffice, nanxun.id, 'REMEDIATION');

  // Luonan: the office at 县文广局; the first agencies have reported.
  const luonanOffice = actor('luonan-legalization-office', Role.AUDITOR, LUONAN_CAMPAIGN.root);
  const luonan = await create(LUONAN_CAMPAIGN, luonanOffice);
  for (const report of LUONAN_CAMPAIGN.firstReports) await submit(luonan, report);
}

/**
 * The inspectors look at every sampled machine in every tracked category and find what is on it (the plan's
 * status, which is also what the engine computes), except on the first machine of the draw, whose antivirus they
 * find uninstalled since its last inventory: one finding that disagrees with the engine, whichever machines the
 * draw picked (machine ids, hence the sample, differ on every first start; every Nanxun machine runs licensed
 * antivirus).
 */
async function recordFindings(
  auditOrm: MikroORM,
  plan: DemoPlan,
  spotCheckId: string,
  inspectors: Actor,
  as: (who: Actor) => ReturnType<typeof createAuditContext>['services']['campaign'],
): Promise<void> {
  const sample = await auditOrm.em.fork().execute<Array<{ id: string; hostname: string; position: number }>>(
    `select m.id, m.hostname, s.position from audit.spot_check_machine s join registry_public.machine m on m.id = s.machine_id where s.spot_check_id = ? order by s.position`,
    [spotCheckId],
  );
  const byHostname = new Map(plan.machines.map((m) => [m.hostname, m]));
  for (const sampled of sample) {
    const machine = byHostname.get(sampled.hostname);
    if (!machine) throw new Error(`the spot check drew ${sampled.hostname}, which the demo plan does not know`);
    for (const category of TRACKED) {
      const uninstalled = sampled.position === 1 && category === 'ANTIVIRUS';
      const finding = uninstalled ? 'FOUND_MISSING' : FINDING[machine.intended[category]];
      const note = uninstalled ? UNINSTALLED_ANTIVIRUS_NOTE : finding === 'FOUND_UNLICENSED' ? '未见授权凭证' : null;
      await as(inspectors).recordFinding(inspectors, { spotCheckId, machineId: sampled.id, category, finding, note });
    }
  }
}
