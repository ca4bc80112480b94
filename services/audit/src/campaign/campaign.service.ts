import { randomBytes } from 'node:crypto';
import { AppError, badInput, conflict, ErrorCode, forbidden, isUniqueViolation, notFound, TRACKED_CATEGORIES, type Actor, type Logger } from '@genuine/kit';
import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ScopeRepository } from '../scope/scope.repository';
import { CAMPAIGN_PHASES, type CampaignPhaseName } from './campaign.entity';
import type { CampaignLoaders } from './campaign.loader';
import { canOnCampaign } from './campaign.policy';
import {
  CampaignRepository,
  type CampaignCursor,
  type CampaignRecord,
  type Figures,
  type RoundRecord,
  type SelfReportCursor,
  type SelfReportRecord,
  type SpotCheckRecord,
  type UnitComparison,
  type UnitProgressRecord,
} from './campaign.repository';

export interface CreateCampaignCommand {
  name: string;
  rootUnitCode: string;
  trackedCategories?: string[] | null;
  reportingDepth?: number | null;
  selfCheckDeadline: string;
  remediationDeadline: string;
  acceptanceDeadline: string;
}

export interface SubmitSelfReportCommand {
  campaignId: string;
  orgUnitCode: string;
  computers: number;
  desktops: number;
  laptops: number;
  operators: number;
  licensed: Array<{ category: string; count: number }>;
}

export interface DrawSpotCheckCommand {
  campaignId: string;
  orgUnitCode: string;
  sampleSize: number;
  seed?: string | null;
}

export interface RecordFindingCommand {
  spotCheckId: string;
  machineId: string;
  category: string;
  finding: string;
  note?: string | null;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

const DEFAULT_REPORTING_DEPTH = 1;
const COUNT_CAP = 100_000;

/** The phase after `phase`, or null once the campaign is closed. */
export function nextPhase(phase: CampaignPhaseName): CampaignPhaseName | null {
  const i = CAMPAIGN_PHASES.indexOf(phase);
  return i >= 0 && i < CAMPAIGN_PHASES.length - 1 ? CAMPAIGN_PHASES[i + 1] : null;
}

/** The deadline of the phase the campaign is in; null once closed. */
export function currentDeadline(c: CampaignRecord): string | null {
  switch (c.phase) {
    case 'SELF_CHECK':
      return c.selfCheckDeadline;
    case 'REMEDIATION':
      return c.remediationDeadline;
    case 'ACCEPTANCE':
      return c.acceptanceDeadline;
    case 'CLOSED':
      return null;
  }
}

/** Today in UTC, as deadlines are compared. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function page<T>(rows: T[], first: number, count: () => Promise<number>): Page<T> {
  return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: count };
}

/**
 * Campaigns (the seed's self-check → remediation → acceptance): phases with deadlines, units' self-reports with
 * their revisions, declared against measured figures, reproducible spot checks with inspectors' findings, and
 * rounds whose figures are frozen when published. Every read and write is limited to the caller's subtree: a
 * campaign is visible when its root lies in the caller's scope or covers the caller's unit, and its units'
 * figures are shown only for units inside the scope.
 */
export class CampaignService {
  private readonly repository: CampaignRepository;
  private readonly scope: ScopeRepository;

  constructor(
    private readonly deps: { em: EntityManager; log: Logger },
    private readonly loaders: CampaignLoaders,
  ) {
    this.repository = new CampaignRepository(deps.em);
    this.scope = new ScopeRepository(deps.em);
  }

  // --- campaigns --------------------------------------------------------------------------------------------------

  async get(actor: Actor, id: string): Promise<CampaignRecord> {
    if (!canOnCampaign(actor, 'read')) throw notFound('Campaign');
    const campaign = await this.loaders.campaignById.load(id);
    if (!campaign || !(await this.repository.campaignVisible(actor.scopeUnitId, campaign.rootUnitId))) throw notFound('Campaign');
    return campaign;
  }

  async list(actor: Actor, filter: { orgUnitCode?: string | null; phase?: string | null }, first: number, after: CampaignCursor | null): Promise<Page<CampaignRecord>> {
    if (!canOnCampaign(actor, 'read')) throw forbidden();
    let coveringUnitId: string | null = null;
    if (filter.orgUnitCode) {
      const unit = await this.scope.unitByCode(actor.scopeUnitId, filter.orgUnitCode);
      if (!unit) throw notFound(`Org unit ${filter.orgUnitCode}`);
      coveringUnitId = unit.id;
    }
    const query = { scopeUnitId: actor.scopeUnitId, coveringUnitId, phase: filter.phase ?? null };
    const rows = await this.repository.listCampaigns({ ...query, after, limit: first + 1 });
    return page(rows, first, async () => (await this.repository.listCampaigns({ ...query, after: null, limit: COUNT_CAP })).length);
  }

  async create(actor: Actor, cmd: CreateCampaignCommand): Promise<CampaignRecord> {
    if (!canOnCampaign(actor, 'manage')) throw forbidden('Creating a campaign takes MANAGE_CAMPAIGNS');
    const root = await this.scope.unitByCode(actor.scopeUnitId, cmd.rootUnitCode);
    if (!root) throw notFound(`Org unit ${cmd.rootUnitCode}`);
    const name = cmd.name.trim();
    if (name === '') throw badInput('name must not be blank', { field: 'name' });
    const trackedCategories = cmd.trackedCategories?.length ? cmd.trackedCategories : [...TRACKED_CATEGORIES];
    if (new Set(trackedCategories).size !== trackedCategories.length) throw badInput('trackedCategories must not repeat a category', { field: 'trackedCategories' });
    if (!(cmd.selfCheckDeadline <= cmd.remediationDeadline && cmd.remediationDeadline <= cmd.acceptanceDeadline)) {
      throw badInput('Deadlines must follow the phases: selfCheckDeadline <= remediationDeadline <= acceptanceDeadline', { field: 'acceptanceDeadline' });
    }
    const campaign = await this.repository.insertCampaign({
      name,
      rootUnitId: root.id,
      trackedCategories,
      reportingDepth: cmd.reportingDepth ?? DEFAULT_REPORTING_DEPTH,
      selfCheckDeadline: cmd.selfCheckDeadline,
      remediationDeadline: cmd.remediationDeadline,
      acceptanceDeadline: cmd.acceptanceDeadline,
      createdBy: actor.id,
    });
    this.deps.log.info({ campaignId: campaign.id, rootUnitId: root.id }, 'campaign created');
    return campaign;
  }

  /** Moves the campaign to `to`, which must be the phase after the current one (a repeated request fails with CONFLICT). */
  async advance(actor: Actor, campaignId: string, to: CampaignPhaseName): Promise<CampaignRecord> {
    if (!canOnCampaign(actor, 'manage')) throw forbidden('Advancing a campaign takes MANAGE_CAMPAIGNS');
    return this.deps.em.transactional(async (tx) => {
      const repository = new CampaignRepository(tx);
      const campaign = await this.managed(actor, repository, await repository.lockCampaign(campaignId, 'update'));
      const next = nextPhase(campaign.phase);
      if (next !== to) {
        throw conflict(next === null ? 'The campaign is closed' : `The campaign is in ${campaign.phase}: the next phase is ${next}, not ${to}`);
      }
      const moved = await repository.setPhase(campaign.id, campaign.phase, next);
      if (!moved) throw conflict('The campaign changed phase meanwhile');
      this.deps.log.info({ campaignId, from: campaign.phase, to: next }, 'campaign phase advanced');
      return moved;
    });
  }

  // --- self-reports -------------------------------------------------------------------------------------------------

  /** Validates and stores a unit's self-report; a resubmission supersedes the current revision (kept as history). */
  async submitSelfReport(actor: Actor, cmd: SubmitSelfReportCommand): Promise<SelfReportRecord> {
    if (!canOnCampaign(actor, 'submit')) throw forbidden('Submitting a self-report takes SUBMIT_SELF_REPORT');
    const unit = await this.scope.unitByCode(actor.scopeUnitId, cmd.orgUnitCode);
    if (!unit) throw notFound(`Org unit ${cmd.orgUnitCode}`);
    try {
      return await this.deps.em.transactional(async (tx) => {
        const repository = new CampaignRepository(tx);
        const campaign = await this.visible(actor, repository, await repository.lockCampaign(cmd.campaignId, 'share'));
        if ((await repository.depthBelow(campaign.rootUnitId, unit.id)) === null) {
          throw badInput(`Org unit ${cmd.orgUnitCode} is not part of this campaign`, { field: 'orgUnitCode' });
        }
        if (campaign.phase === 'CLOSED') throw conflict('The campaign is closed');
        if (campaign.phase !== 'SELF_CHECK' && !canOnCampaign(actor, 'submitOutsideSelfCheck')) {
          throw conflict(`The campaign is in ${campaign.phase}: self-reports are accepted during SELF_CHECK`);
        }
        const figures = validFigures(cmd, campaign.trackedCategories);
        const report = await repository.insertSelfReport(campaign.id, unit.id, figures, actor.id);
        this.deps.log.info({ campaignId: campaign.id, unitId: unit.id, revision: report.revision }, 'self-report submitted');
        return report;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('Another self-report for this unit was submitted at the same time; submit again');
      throw error;
    }
  }

  async selfReports(actor: Actor, campaign: CampaignRecord, filter: { orgUnitCode?: string | null; includeHistory?: boolean | null }, first: number, after: SelfReportCursor | null): Promise<Page<SelfReportRecord>> {
    let unitId: string | null = null;
    if (filter.orgUnitCode) {
      const unit = await this.scope.unitByCode(actor.scopeUnitId, filter.orgUnitCode);
      if (!unit) throw notFound(`Org unit ${filter.orgUnitCode}`);
      unitId = unit.id;
    }
    const query = { campaignId: campaign.id, scopeUnitId: actor.scopeUnitId, unitId, includeHistory: filter.includeHistory ?? false };
    const rows = await this.repository.listSelfReports({ ...query, after, limit: first + 1 });
    return page(rows, first, async () => (await this.repository.listSelfReports({ ...query, after: null, limit: COUNT_CAP })).length);
  }

  // --- progress ---------------------------------------------------------------------------------------------------

  /** The reporting units in scope: submitted or not, late, spot-checked. */
  async progress(actor: Actor, campaign: CampaignRecord, first: number, after: string | null): Promise<Page<UnitProgressRecord>> {
    return this.progressPage(actor, campaign, null, first, after);
  }

  /** Reporting units in scope without a self-report whose self-check deadline passed before `asOf` (today by default). */
  async overdue(actor: Actor, campaign: CampaignRecord, asOf: string | null, first: number, after: string | null): Promise<Page<UnitProgressRecord>> {
    return this.progressPage(actor, campaign, asOf ?? today(), first, after);
  }

  private async progressPage(actor: Actor, campaign: CampaignRecord, overdueAsOf: string | null, first: number, after: string | null) {
    const query = { campaign, scopeUnitId: actor.scopeUnitId, overdueAsOf };
    const rows = await this.repository.progress({ ...query, after, limit: first + 1 });
    return page(rows, first, async () => (await this.repository.progress({ ...query, after: null, limit: COUNT_CAP })).length);
  }

  // --- declared against measured ------------------------------------------------------------------------------------

  async discrepancies(actor: Actor, campaign: CampaignRecord, onlyReported: boolean, first: number, after: string | null): Promise<Page<UnitComparison>> {
    const query = { campaign, scopeUnitId: actor.scopeUnitId, onlyReported };
    const unitIds = await this.repository.comparedUnits({ ...query, after, limit: first + 1 });
    const rows = await this.repository.compare(campaign, unitIds.slice(0, first));
    return { items: rows, hasNextPage: unitIds.length > first, totalCount: async () => (await this.repository.comparedUnits({ ...query, after: null, limit: COUNT_CAP })).length };
  }

  /** One unit's declared and measured figures; NOT_FOUND outside the caller's scope. */
  async discrepancy(actor: Actor, campaign: CampaignRecord, orgUnitCode: string): Promise<UnitComparison> {
    const unit = await this.scope.unitByCode(actor.scopeUnitId, orgUnitCode);
    if (!unit) throw notFound(`Org unit ${orgUnitCode}`);
    const [row] = await this.repository.compare(campaign, [unit.id]);
    if (!row) throw badInput(`Org unit ${orgUnitCode} is not part of this campaign`, { field: 'orgUnitCode' });
    return row;
  }

  // --- spot checks --------------------------------------------------------------------------------------------------

  /** Draws a reproducible sample of the unit's machines (with descendants): the same seed over the same machines gives the same sample. */
  async drawSpotCheck(actor: Actor, cmd: DrawSpotCheckCommand): Promise<SpotCheckRecord> {
    if (!canOnCampaign(actor, 'manage')) throw forbidden('Drawing a spot check takes MANAGE_CAMPAIGNS');
    const unit = await this.scope.unitByCode(actor.scopeUnitId, cmd.orgUnitCode);
    if (!unit) throw notFound(`Org unit ${cmd.orgUnitCode}`);
    const seed = cmd.seed ?? randomBytes(8).toString('hex');
    const id = await this.deps.em.transactional(async (tx) => {
      const repository = new CampaignRepository(tx);
      const campaign = await this.visible(actor, repository, await repository.lockCampaign(cmd.campaignId, 'share'));
      if ((await repository.depthBelow(campaign.rootUnitId, unit.id)) === null) {
        throw badInput(`Org unit ${cmd.orgUnitCode} is not part of this campaign`, { field: 'orgUnitCode' });
      }
      if (campaign.phase === 'CLOSED') throw conflict('The campaign is closed');
      return repository.insertSpotCheck({ campaignId: campaign.id, unitId: unit.id, seed, size: cmd.sampleSize, drawnBy: actor.id });
    });
    const [spotCheck] = await this.repository.spotChecksByIds([id]);
    return spotCheck;
  }

  async spotCheck(actor: Actor, id: string): Promise<SpotCheckRecord> {
    const spotCheck = canOnCampaign(actor, 'read') ? await this.loaders.spotCheckById.load(id) : null;
    if (!spotCheck || !(await this.unitInScope(actor, spotCheck.orgUnitId))) throw notFound('Spot check');
    return spotCheck;
  }

  async spotChecks(actor: Actor, campaign: CampaignRecord, first: number, after: CampaignCursor | null): Promise<Page<SpotCheckRecord>> {
    const query = { campaignId: campaign.id, scopeUnitId: actor.scopeUnitId };
    const rows = await this.repository.listSpotChecks({ ...query, after, limit: first + 1 });
    return page(rows, first, async () => (await this.repository.listSpotChecks({ ...query, after: null, limit: COUNT_CAP })).length);
  }

  /** Records (or replaces) an inspector's finding on a sampled machine in a tracked category. */
  async recordFinding(actor: Actor, cmd: RecordFindingCommand): Promise<SpotCheckRecord> {
    if (!canOnCampaign(actor, 'manage')) throw forbidden('Recording findings takes MANAGE_CAMPAIGNS');
    const spotCheck = await this.spotCheck(actor, cmd.spotCheckId);
    await this.deps.em.transactional(async (tx) => {
      const repository = new CampaignRepository(tx);
      const campaign = await repository.lockCampaign(spotCheck.campaignId, 'share');
      if (!campaign) throw notFound('Spot check');
      if (campaign.phase === 'CLOSED') throw conflict('The campaign is closed');
      if (!campaign.trackedCategories.includes(cmd.category)) {
        throw badInput(`${cmd.category} is not tracked by this campaign (${campaign.trackedCategories.join(', ')})`, { field: 'category' });
      }
      if (!(await repository.isSampled(spotCheck.id, cmd.machineId))) throw badInput('The machine is not part of this sample', { field: 'machineId' });
      await repository.upsertFinding({ ...cmd, spotCheckId: spotCheck.id, note: cmd.note ?? null, recordedBy: actor.id });
    });
    return spotCheck;
  }

  // --- rounds -------------------------------------------------------------------------------------------------------

  /** Publishes the next round: the declared and measured figures of every unit of the subtree, frozen from now on. */
  async publishRound(actor: Actor, campaignId: string, label: string | null): Promise<RoundRecord> {
    if (!canOnCampaign(actor, 'manage')) throw forbidden('Publishing a round takes MANAGE_CAMPAIGNS');
    try {
      const id = await this.deps.em.transactional(
        async (tx) => {
          const repository = new CampaignRepository(tx);
          const [campaign] = await repository.campaignsByIds([campaignId]);
          await this.managed(actor, repository, campaign ?? null);
          return repository.insertRound(campaign, label, actor.id);
        },
        { isolationLevel: IsolationLevel.REPEATABLE_READ },
      );
      const [round] = await this.repository.roundsByIds([id]);
      this.deps.log.info({ campaignId, roundId: id, number: round.number }, 'campaign round published');
      return round;
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('Another round of this campaign was published at the same time');
      throw error;
    }
  }

  async rounds(campaign: CampaignRecord, first: number, after: number | null): Promise<Page<RoundRecord>> {
    const rows = await this.repository.listRounds({ campaignId: campaign.id, after, limit: first + 1 });
    return page(rows, first, async () => (await this.repository.listRounds({ campaignId: campaign.id, after: null, limit: COUNT_CAP })).length);
  }

  /** A round's frozen figures, for the units inside the caller's scope. */
  async roundFigures(actor: Actor, round: RoundRecord, first: number, after: string | null): Promise<Page<UnitComparison>> {
    const query = { roundId: round.id, scopeUnitId: actor.scopeUnitId };
    const rows = await this.repository.roundFigures({ ...query, after, limit: first + 1 });
    return page(rows, first, async () => (await this.repository.roundFigures({ ...query, after: null, limit: COUNT_CAP })).length);
  }

  async campaignOfRound(actor: Actor, round: RoundRecord): Promise<CampaignRecord> {
    return this.get(actor, round.campaignId);
  }

  // --- helpers ------------------------------------------------------------------------------------------------------

  private async visible(actor: Actor, repository: CampaignRepository, campaign: CampaignRecord | null): Promise<CampaignRecord> {
    if (!campaign || !(await repository.campaignVisible(actor.scopeUnitId, campaign.rootUnitId))) throw notFound('Campaign');
    return campaign;
  }

  /** A campaign the caller may manage: its whole subtree lies inside the caller's scope. */
  private async managed(actor: Actor, repository: CampaignRepository, campaign: CampaignRecord | null): Promise<CampaignRecord> {
    const visible = await this.visible(actor, repository, campaign);
    if (actor.scopeUnitId !== null && (await repository.depthBelow(actor.scopeUnitId, visible.rootUnitId)) === null) {
      throw forbidden('The campaign covers units outside your scope');
    }
    return visible;
  }

  /** Whether a unit lies inside the caller's scope. */
  async unitVisible(actor: Actor, unitId: string): Promise<boolean> {
    return canOnCampaign(actor, 'read') && this.unitInScope(actor, unitId);
  }

  private async unitInScope(actor: Actor, unitId: string): Promise<boolean> {
    return actor.scopeUnitId === null || this.loaders.unitInScope.load(unitId);
  }
}

/** The self-check form's invariants: parts within the whole, licensed within the computers, every tracked category once. */
function validFigures(cmd: SubmitSelfReportCommand, tracked: readonly string[]): Figures {
  const problems: Array<{ field: string; messages: string[] }> = [];
  if (cmd.desktops + cmd.laptops > cmd.computers) problems.push({ field: 'desktops', messages: ['desktops + laptops must not exceed computers'] });
  const licensed: Record<string, number> = {};
  for (const { category, count } of cmd.licensed) {
    if (!tracked.includes(category)) problems.push({ field: 'licensed', messages: [`${category} is not tracked by this campaign`] });
    else if (category in licensed) problems.push({ field: 'licensed', messages: [`${category} is given twice`] });
    else if (count > cmd.computers) problems.push({ field: 'licensed', messages: [`licensed ${category} (${count}) must not exceed computers (${cmd.computers})`] });
    licensed[category] = count;
  }
  for (const category of tracked) {
    if (!(category in licensed)) problems.push({ field: 'licensed', messages: [`licensed ${category} is missing`] });
  }
  if (problems.length > 0) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, problems.map((p) => p.messages.join('; ')).join('; '), { fields: problems });
  }
  return { computers: cmd.computers, desktops: cmd.desktops, laptops: cmd.laptops, operators: cmd.operators, licensed };
}
