import { randomUUID } from 'node:crypto';
import { sqlArray } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toDate } from '../sql';
import type { CampaignPhaseName } from './campaign.entity';

export interface CampaignRecord {
  id: string;
  name: string;
  rootUnitId: string;
  trackedCategories: string[];
  reportingDepth: number;
  phase: CampaignPhaseName;
  selfCheckDeadline: string;
  remediationDeadline: string;
  acceptanceDeadline: string;
  createdAt: Date;
  createdBy: string;
  phaseStartedAt: Date;
  /** created_at to the microsecond, for keyset cursors (a JavaScript Date keeps only milliseconds). */
  orderKey: string;
}

export interface NewCampaign {
  name: string;
  rootUnitId: string;
  trackedCategories: string[];
  reportingDepth: number;
  selfCheckDeadline: string;
  remediationDeadline: string;
  acceptanceDeadline: string;
  createdBy: string;
}

/** Figures of the self-check form; `licensed` per tracked category. */
export interface Figures {
  computers: number;
  desktops: number;
  laptops: number;
  operators: number;
  licensed: Record<string, number>;
}

export interface SelfReportRecord extends Figures {
  id: string;
  campaignId: string;
  orgUnitId: string;
  revision: number;
  submittedAt: Date;
  submittedBy: string;
  supersededAt: Date | null;
}

export interface UnitProgressRecord {
  orgUnitId: string;
  depth: number;
  revision: number | null;
  firstSubmittedAt: Date | null;
  submittedAt: Date | null;
  spotChecks: number;
  completeSpotChecks: number;
}

export interface SpotCheckRecord {
  id: string;
  campaignId: string;
  orgUnitId: string;
  seed: string;
  requestedSize: number;
  sampleSize: number;
  drawnAt: Date;
  drawnBy: string;
  /** drawn_at to the microsecond, for keyset cursors. */
  orderKey: string;
}

export interface SampledMachineRow {
  spotCheckId: string;
  machineId: string;
  position: number;
  category: string | null;
  finding: string | null;
  note: string | null;
  recordedAt: Date | null;
  recordedBy: string | null;
  engineStatus: string | null;
}

export interface RoundRecord {
  id: string;
  campaignId: string;
  number: number;
  label: string | null;
  phase: string;
  publishedAt: Date;
  publishedBy: string;
}

/** A unit's figures side by side: declared (null without a report) and measured. */
export interface UnitComparison {
  orgUnitId: string;
  depth: number;
  revision: number | null;
  declared: Figures | null;
  measured: Figures;
}

/** Keyset positions. */
export type CampaignCursor = [string, string];
export type SelfReportCursor = [string, number];

const microseconds = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const campaignColumns = `c.id, c.name, c.root_unit_id as "rootUnitId", c.tracked_categories as "trackedCategories",
  c.reporting_depth as "reportingDepth", c.phase, to_char(c.self_check_deadline, 'YYYY-MM-DD') as "selfCheckDeadline",
  to_char(c.remediation_deadline, 'YYYY-MM-DD') as "remediationDeadline", to_char(c.acceptance_deadline, 'YYYY-MM-DD') as "acceptanceDeadline",
  c.created_at as "createdAt", c.created_by as "createdBy", c.phase_started_at as "phaseStartedAt", ${microseconds('c.created_at')} as "orderKey"`;

type Raw<T> = Omit<T, 'createdAt' | 'phaseStartedAt' | 'submittedAt' | 'supersededAt' | 'drawnAt' | 'publishedAt' | 'recordedAt' | 'firstSubmittedAt'> &
  Record<string, unknown>;

function campaignOf(row: Raw<CampaignRecord>): CampaignRecord {
  return {
    ...(row as unknown as CampaignRecord),
    trackedCategories: parseTextArray(row.trackedCategories as unknown),
    createdAt: toDate(row.createdAt as string) ?? new Date(0),
    phaseStartedAt: toDate(row.phaseStartedAt as string) ?? new Date(0),
  };
}

/** The pg driver returns text[] as an array, PGlite's wire sometimes as `{A,B}`. */
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.replace(/^\{|\}$/g, '').split(',').filter((v) => v.length > 0);
  return [];
}

/** Units of a subtree visible to a scope: the caller's scope (null = everything) contains them. */
const inScope = (unitColumn: string) => `(?::uuid is null or exists (select 1 from registry_public.org_unit_ancestry s where s.ancestor_id = ? and s.unit_id = ${unitColumn}))`;

/**
 * The units expected to report: those `reporting_depth` levels below the root, and shallower units without
 * children (a leaf above that depth has nobody below it to report for it).
 */
const reportingUnits = `select a.unit_id, a.depth from registry_public.org_unit_ancestry a
  where a.ancestor_id = ? and (a.depth = ? or (a.depth < ? and not exists (select 1 from registry_public.org_unit ch where ch.parent_id = a.unit_id)))`;

/**
 * Measured figures of each unit of the CTE `units(unit_id)`, summed over its subtree: active machines by kind, the
 * distinct operators of those machines, and the engine's LICENSED machines per tracked category.
 */
const measuredCtes = `
  mach as (
    select u.unit_id, count(m.id)::int as computers, (count(m.id) filter (where m.kind = 'DESKTOP'))::int as desktops,
           (count(m.id) filter (where m.kind = 'LAPTOP'))::int as laptops, count(distinct m.operator_person_id)::int as operators
      from units u join registry_public.org_unit_ancestry d on d.ancestor_id = u.unit_id
      join registry_public.machine m on m.org_unit_id = d.unit_id and m.status = 'ACTIVE'
     group by u.unit_id),
  lic as (
    select u.unit_id, c.category, sum(c.licensed)::int as licensed
      from units u join registry_public.org_unit_ancestry d on d.ancestor_id = u.unit_id
      join audit.compliance_unit_category c on c.org_unit_id = d.unit_id and c.category = any(?::text[])
     group by u.unit_id, c.category)`;

/** Campaign tables and the measured side read from `registry_public` and the engine's maintained results. */
export class CampaignRepository {
  constructor(private readonly em: EntityManager) {}

  async insertCampaign(c: NewCampaign): Promise<CampaignRecord> {
    const [row] = await this.em.execute<Array<Raw<CampaignRecord>>>(
      `insert into audit.campaign as c (id, name, root_unit_id, tracked_categories, reporting_depth, self_check_deadline, remediation_deadline, acceptance_deadline, created_by)
       values (?, ?, ?, ?::text[], ?, ?, ?, ?, ?) returning ${campaignColumns}`,
      [randomUUID(), c.name, c.rootUnitId, sqlArray(c.trackedCategories), c.reportingDepth, c.selfCheckDeadline, c.remediationDeadline, c.acceptanceDeadline, c.createdBy],
    );
    return campaignOf(row);
  }

  async campaignsByIds(ids: readonly string[]): Promise<CampaignRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.em.execute<Array<Raw<CampaignRecord>>>(`select ${campaignColumns} from audit.campaign c where c.id = any(?::uuid[])`, [sqlArray(ids)]);
    return rows.map(campaignOf);
  }

  /**
   * The campaign row, locked until the transaction ends: `share` by writes that depend on its phase (they run
   * side by side), `update` by a phase change (which waits for them).
   */
  async lockCampaign(id: string, mode: 'share' | 'update'): Promise<CampaignRecord | null> {
    const [row] = await this.em.execute<Array<Raw<CampaignRecord>>>(`select ${campaignColumns} from audit.campaign c where c.id = ? for ${mode === 'share' ? 'share' : 'update'}`, [id]);
    return row ? campaignOf(row) : null;
  }

  /** Moves the campaign from `from` to `to`; null when it was no longer in `from`. */
  async setPhase(id: string, from: CampaignPhaseName, to: CampaignPhaseName): Promise<CampaignRecord | null> {
    const [row] = await this.em.execute<Array<Raw<CampaignRecord>>>(
      `update audit.campaign c set phase = ?, phase_started_at = now() where c.id = ? and c.phase = ? returning ${campaignColumns}`,
      [to, id, from],
    );
    return row ? campaignOf(row) : null;
  }

  /**
   * Campaigns a scope may see: those whose root lies inside it, and those covering it (its unit lies inside their
   * subtree, so its units take part). Newest first.
   */
  async listCampaigns(q: { scopeUnitId: string | null; coveringUnitId: string | null; phase: string | null; after: CampaignCursor | null; limit: number }): Promise<CampaignRecord[]> {
    const rows = await this.em.execute<Array<Raw<CampaignRecord>>>(
      `select ${campaignColumns} from audit.campaign c
        where (?::uuid is null or exists (select 1 from registry_public.org_unit_ancestry a
                where (a.ancestor_id = ? and a.unit_id = c.root_unit_id) or (a.unit_id = ? and a.ancestor_id = c.root_unit_id)))
          and (?::uuid is null or exists (select 1 from registry_public.org_unit_ancestry a where a.unit_id = ? and a.ancestor_id = c.root_unit_id))
          and (?::text is null or c.phase = ?)
          and (?::timestamptz is null or (c.created_at, c.id) < (?::timestamptz, ?::uuid))
        order by c.created_at desc, c.id desc limit ?`,
      [q.scopeUnitId, q.scopeUnitId, q.scopeUnitId, q.coveringUnitId, q.coveringUnitId, q.phase, q.phase, q.after?.[0] ?? null, q.after?.[0] ?? null, q.after?.[1] ?? null, q.limit],
    );
    return rows.map(campaignOf);
  }

  /** Whether a scope sees a campaign (see listCampaigns). */
  async campaignVisible(scopeUnitId: string | null, rootUnitId: string): Promise<boolean> {
    if (scopeUnitId === null) return true;
    const rows = await this.em.execute(
      `select 1 from registry_public.org_unit_ancestry a where (a.ancestor_id = ? and a.unit_id = ?) or (a.unit_id = ? and a.ancestor_id = ?) limit 1`,
      [scopeUnitId, rootUnitId, scopeUnitId, rootUnitId],
    );
    return rows.length > 0;
  }

  /** The depth of `unitId` below `rootUnitId`, or null when it lies outside that subtree. */
  async depthBelow(rootUnitId: string, unitId: string): Promise<number | null> {
    const [row] = await this.em.execute<Array<{ depth: number }>>(
      `select depth from registry_public.org_unit_ancestry where ancestor_id = ? and unit_id = ?`,
      [rootUnitId, unitId],
    );
    return row ? Number(row.depth) : null;
  }

  /** Of `unitIds`, those inside the subtree rooted at `scopeUnitId` (all when null). */
  async unitsInScope(scopeUnitId: string | null, unitIds: readonly string[]): Promise<Set<string>> {
    if (scopeUnitId === null) return new Set(unitIds);
    if (unitIds.length === 0) return new Set();
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select unit_id as id from registry_public.org_unit_ancestry where ancestor_id = ? and unit_id = any(?::uuid[])`,
      [scopeUnitId, sqlArray(unitIds)],
    );
    return new Set(rows.map((r) => r.id));
  }

  // --- self-reports -------------------------------------------------------------------------------------------

  /** Supersedes the current revision (if any) and inserts the next one; returns the new revision number. */
  async insertSelfReport(campaignId: string, unitId: string, figures: Figures, submittedBy: string): Promise<SelfReportRecord> {
    const [current] = await this.em.execute<Array<{ revision: number }>>(
      `update audit.self_report set superseded_at = now() where campaign_id = ? and org_unit_id = ? and superseded_at is null returning revision`,
      [campaignId, unitId],
    );
    const id = randomUUID();
    const revision = (current ? Number(current.revision) : 0) + 1;
    await this.em.execute(
      `insert into audit.self_report (id, campaign_id, org_unit_id, revision, computers, desktops, laptops, operators, submitted_by)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, campaignId, unitId, revision, figures.computers, figures.desktops, figures.laptops, figures.operators, submittedBy],
    );
    const categories = Object.keys(figures.licensed);
    await this.em.execute(
      `insert into audit.self_report_licensed (self_report_id, category, licensed) select ?, c, n from unnest(?::text[], ?::int[]) t(c, n)`,
      [id, sqlArray(categories), sqlArray(categories.map((c) => figures.licensed[c]))],
    );
    const [stored] = await this.selfReportsByIds([id]);
    return stored;
  }

  async selfReportsByIds(ids: readonly string[]): Promise<SelfReportRecord[]> {
    if (ids.length === 0) return [];
    return this.selfReportRows(`r.id = any(?::uuid[])`, [sqlArray(ids)], 'r.id');
  }

  /** Self-reports of a campaign in a scope, by unit then newest revision first; the current ones unless `includeHistory`. */
  async listSelfReports(q: { campaignId: string; scopeUnitId: string | null; unitId: string | null; includeHistory: boolean; after: SelfReportCursor | null; limit: number }): Promise<SelfReportRecord[]> {
    return this.selfReportRows(
      `r.campaign_id = ? and ${inScope('r.org_unit_id')} and (?::uuid is null or r.org_unit_id = ?)
       and (?::boolean or r.superseded_at is null)
       and (?::uuid is null or (r.org_unit_id, -r.revision) > (?::uuid, -?::int))`,
      [q.campaignId, q.scopeUnitId, q.scopeUnitId, q.unitId, q.unitId, q.includeHistory, q.after?.[0] ?? null, q.after?.[0] ?? null, q.after?.[1] ?? null],
      'r.org_unit_id, r.revision desc',
      q.limit,
    );
  }

  private async selfReportRows(where: string, params: unknown[], orderBy: string, limit?: number): Promise<SelfReportRecord[]> {
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `select r.id, r.campaign_id as "campaignId", r.org_unit_id as "orgUnitId", r.revision, r.computers, r.desktops, r.laptops, r.operators,
              r.submitted_at as "submittedAt", r.submitted_by as "submittedBy", r.superseded_at as "supersededAt",
              coalesce((select json_object_agg(l.category, l.licensed) from audit.self_report_licensed l where l.self_report_id = r.id), '{}'::json) as licensed
         from audit.self_report r where ${where} order by ${orderBy}${limit === undefined ? '' : ' limit ?'}`,
      limit === undefined ? params : [...params, limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      campaignId: r.campaignId as string,
      orgUnitId: r.orgUnitId as string,
      revision: Number(r.revision),
      computers: Number(r.computers),
      desktops: Number(r.desktops),
      laptops: Number(r.laptops),
      operators: Number(r.operators),
      licensed: (typeof r.licensed === 'string' ? JSON.parse(r.licensed) : r.licensed) as Record<string, number>,
      submittedAt: toDate(r.submittedAt as string) ?? new Date(0),
      submittedBy: r.submittedBy as string,
      supersededAt: toDate(r.supersededAt as string | null),
    }));
  }

  // --- progress -------------------------------------------------------------------------------------------------

  /**
   * The reporting units in a scope with their submission and spot checks, by unit id. `overdueAsOf` keeps only the
   * units without a report whose self-check deadline lies before that date.
   */
  async progress(q: { campaign: CampaignRecord; scopeUnitId: string | null; overdueAsOf: string | null; after: string | null; limit: number }): Promise<UnitProgressRecord[]> {
    const c = q.campaign;
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `with units as (${reportingUnits})
       select u.unit_id as "orgUnitId", u.depth, r.revision, r.submitted_at as "submittedAt",
              (select min(h.submitted_at) from audit.self_report h where h.campaign_id = ? and h.org_unit_id = u.unit_id) as "firstSubmittedAt",
              (select count(*)::int from audit.spot_check sc where sc.campaign_id = ? and sc.org_unit_id = u.unit_id) as "spotChecks",
              (select count(*)::int from audit.spot_check sc where sc.campaign_id = ? and sc.org_unit_id = u.unit_id
                  and (select count(*) from audit.spot_check_finding f where f.spot_check_id = sc.id and f.category = any(?::text[]))
                    = (select count(*) from audit.spot_check_machine sm where sm.spot_check_id = sc.id) * ?) as "completeSpotChecks"
         from units u
         left join audit.self_report r on r.campaign_id = ? and r.org_unit_id = u.unit_id and r.superseded_at is null
        where ${inScope('u.unit_id')}
          and (?::date is null or (r.id is null and ?::date > ?::date))
          and (?::uuid is null or u.unit_id > ?::uuid)
        order by u.unit_id limit ?`,
      [
        c.rootUnitId, c.reportingDepth, c.reportingDepth,
        c.id, c.id, c.id, sqlArray(c.trackedCategories), c.trackedCategories.length,
        c.id,
        q.scopeUnitId, q.scopeUnitId,
        q.overdueAsOf, q.overdueAsOf, c.selfCheckDeadline,
        q.after, q.after, q.limit,
      ],
    );
    return rows.map((r) => ({
      orgUnitId: r.orgUnitId as string,
      depth: Number(r.depth),
      revision: r.revision === null ? null : Number(r.revision),
      submittedAt: toDate(r.submittedAt as string | null),
      firstSubmittedAt: toDate(r.firstSubmittedAt as string | null),
      spotChecks: Number(r.spotChecks),
      completeSpotChecks: Number(r.completeSpotChecks),
    }));
  }

  // --- declared against measured --------------------------------------------------------------------------------

  /** Declared (current self-report) and measured figures of the given units of a campaign's subtree. */
  async compare(campaign: CampaignRecord, unitIds: readonly string[]): Promise<UnitComparison[]> {
    if (unitIds.length === 0) return [];
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `with units as (select a.unit_id, a.depth from registry_public.org_unit_ancestry a where a.ancestor_id = ? and a.unit_id = any(?::uuid[])), ${measuredCtes}
       select u.unit_id as "orgUnitId", u.depth, r.revision, r.computers as "dComputers", r.desktops as "dDesktops", r.laptops as "dLaptops", r.operators as "dOperators",
              coalesce((select json_object_agg(l.category, l.licensed) from audit.self_report_licensed l where l.self_report_id = r.id), '{}'::json) as "dLicensed",
              coalesce(m.computers, 0) as computers, coalesce(m.desktops, 0) as desktops, coalesce(m.laptops, 0) as laptops, coalesce(m.operators, 0) as operators,
              coalesce((select json_object_agg(l.category, l.licensed) from lic l where l.unit_id = u.unit_id), '{}'::json) as licensed
         from units u left join mach m on m.unit_id = u.unit_id
         left join audit.self_report r on r.campaign_id = ? and r.org_unit_id = u.unit_id and r.superseded_at is null
        order by u.unit_id`,
      [campaign.rootUnitId, sqlArray(unitIds), sqlArray(campaign.trackedCategories), campaign.id],
    );
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, number>;
    const complete = (licensed: Record<string, number>) => Object.fromEntries(campaign.trackedCategories.map((c) => [c, Number(licensed[c] ?? 0)]));
    return rows.map((r) => ({
      orgUnitId: r.orgUnitId as string,
      depth: Number(r.depth),
      revision: r.revision === null ? null : Number(r.revision),
      declared:
        r.revision === null
          ? null
          : { computers: Number(r.dComputers), desktops: Number(r.dDesktops), laptops: Number(r.dLaptops), operators: Number(r.dOperators), licensed: json(r.dLicensed) },
      measured: { computers: Number(r.computers), desktops: Number(r.desktops), laptops: Number(r.laptops), operators: Number(r.operators), licensed: complete(json(r.licensed)) },
    }));
  }

  /** Units of a campaign in a scope holding a current self-report (or every unit of the subtree), by unit id. */
  async comparedUnits(q: { campaign: CampaignRecord; scopeUnitId: string | null; onlyReported: boolean; after: string | null; limit: number }): Promise<string[]> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select a.unit_id as id from registry_public.org_unit_ancestry a
        where a.ancestor_id = ? and ${inScope('a.unit_id')}
          and (not ?::boolean or exists (select 1 from audit.self_report r where r.campaign_id = ? and r.org_unit_id = a.unit_id and r.superseded_at is null))
          and (?::uuid is null or a.unit_id > ?::uuid)
        order by a.unit_id limit ?`,
      [q.campaign.rootUnitId, q.scopeUnitId, q.scopeUnitId, q.onlyReported, q.campaign.id, q.after, q.after, q.limit],
    );
    return rows.map((r) => r.id);
  }

  // --- spot checks ------------------------------------------------------------------------------------------------

  /**
   * Draws the sample: the unit's active machines (with descendants) ordered by md5(seed || machine id), the first
   * `size`. The same seed over the same machines always gives the same sample, in the same order.
   */
  async insertSpotCheck(c: { campaignId: string; unitId: string; seed: string; size: number; drawnBy: string }): Promise<string> {
    const id = randomUUID();
    await this.em.execute(`insert into audit.spot_check (id, campaign_id, org_unit_id, seed, requested_size, drawn_by) values (?, ?, ?, ?, ?, ?)`, [
      id, c.campaignId, c.unitId, c.seed, c.size, c.drawnBy,
    ]);
    await this.em.execute(
      `insert into audit.spot_check_machine (spot_check_id, machine_id, position)
       select ?, s.id, row_number() over (order by s.k, s.id)
         from (select m.id, md5(? || m.id::text) as k from registry_public.machine m
                 join registry_public.org_unit_ancestry a on a.unit_id = m.org_unit_id and a.ancestor_id = ?
                where m.status = 'ACTIVE' order by k, m.id limit ?) s`,
      [id, c.seed, c.unitId, c.size],
    );
    return id;
  }

  async spotChecksByIds(ids: readonly string[]): Promise<SpotCheckRecord[]> {
    if (ids.length === 0) return [];
    return this.spotCheckRows(`sc.id = any(?::uuid[])`, [sqlArray(ids)], 'sc.id');
  }

  /** A campaign's spot checks in a scope, newest first. */
  async listSpotChecks(q: { campaignId: string; scopeUnitId: string | null; after: CampaignCursor | null; limit: number }): Promise<SpotCheckRecord[]> {
    return this.spotCheckRows(
      `sc.campaign_id = ? and ${inScope('sc.org_unit_id')} and (?::timestamptz is null or (sc.drawn_at, sc.id) < (?::timestamptz, ?::uuid))`,
      [q.campaignId, q.scopeUnitId, q.scopeUnitId, q.after?.[0] ?? null, q.after?.[0] ?? null, q.after?.[1] ?? null],
      'sc.drawn_at desc, sc.id desc',
      q.limit,
    );
  }

  private async spotCheckRows(where: string, params: unknown[], orderBy: string, limit?: number): Promise<SpotCheckRecord[]> {
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `select sc.id, sc.campaign_id as "campaignId", sc.org_unit_id as "orgUnitId", sc.seed, sc.requested_size as "requestedSize",
              (select count(*)::int from audit.spot_check_machine sm where sm.spot_check_id = sc.id) as "sampleSize",
              sc.drawn_at as "drawnAt", sc.drawn_by as "drawnBy", ${microseconds('sc.drawn_at')} as "orderKey"
         from audit.spot_check sc where ${where} order by ${orderBy}${limit === undefined ? '' : ' limit ?'}`,
      limit === undefined ? params : [...params, limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      campaignId: r.campaignId as string,
      orgUnitId: r.orgUnitId as string,
      seed: r.seed as string,
      requestedSize: Number(r.requestedSize),
      sampleSize: Number(r.sampleSize),
      drawnAt: toDate(r.drawnAt as string) ?? new Date(0),
      drawnBy: r.drawnBy as string,
      orderKey: r.orderKey as string,
    }));
  }

  /** Sampled machines of spot checks in draw order, one row per finding (or one without a finding), with the engine's status. */
  async sampledMachines(spotCheckIds: readonly string[]): Promise<SampledMachineRow[]> {
    if (spotCheckIds.length === 0) return [];
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `select sm.spot_check_id as "spotCheckId", sm.machine_id as "machineId", sm.position, f.category, f.finding, f.note,
              f.recorded_at as "recordedAt", f.recorded_by as "recordedBy", mc.status as "engineStatus"
         from audit.spot_check_machine sm
         left join audit.spot_check_finding f on f.spot_check_id = sm.spot_check_id and f.machine_id = sm.machine_id
         left join audit.compliance_machine_category mc on mc.machine_id = sm.machine_id and mc.category = f.category
        where sm.spot_check_id = any(?::uuid[])
        order by sm.spot_check_id, sm.position, array_position(array['OPERATING_SYSTEM','OFFICE','ANTIVIRUS','DATABASE','DESIGN','DEVELOPMENT','OTHER'], f.category::text)`,
      [sqlArray(spotCheckIds)],
    );
    return rows.map((r) => ({
      spotCheckId: r.spotCheckId as string,
      machineId: r.machineId as string,
      position: Number(r.position),
      category: (r.category as string | null) ?? null,
      finding: (r.finding as string | null) ?? null,
      note: (r.note as string | null) ?? null,
      recordedAt: toDate(r.recordedAt as string | null),
      recordedBy: (r.recordedBy as string | null) ?? null,
      engineStatus: (r.engineStatus as string | null) ?? null,
    }));
  }

  async isSampled(spotCheckId: string, machineId: string): Promise<boolean> {
    const rows = await this.em.execute(`select 1 from audit.spot_check_machine where spot_check_id = ? and machine_id = ?`, [spotCheckId, machineId]);
    return rows.length > 0;
  }

  async upsertFinding(f: { spotCheckId: string; machineId: string; category: string; finding: string; note: string | null; recordedBy: string }): Promise<void> {
    await this.em.execute(
      `insert into audit.spot_check_finding (spot_check_id, machine_id, category, finding, note, recorded_by) values (?, ?, ?, ?, ?, ?)
       on conflict (spot_check_id, machine_id, category) do update set finding = excluded.finding, note = excluded.note, recorded_at = now(), recorded_by = excluded.recorded_by`,
      [f.spotCheckId, f.machineId, f.category, f.finding, f.note, f.recordedBy],
    );
  }

  // --- rounds -------------------------------------------------------------------------------------------------

  /**
   * Publishes the next round: copies the declared and measured figures of every unit of the subtree. Runs in the
   * caller's REPEATABLE READ transaction so both copies see one snapshot.
   */
  async insertRound(campaign: CampaignRecord, label: string | null, publishedBy: string): Promise<string> {
    const id = randomUUID();
    await this.em.execute(
      `insert into audit.campaign_round (id, campaign_id, number, label, phase, published_by)
       select ?, ?, coalesce(max(number), 0) + 1, ?, ?, ? from audit.campaign_round where campaign_id = ?`,
      [id, campaign.id, label, campaign.phase, publishedBy, campaign.id],
    );
    const categories = sqlArray(campaign.trackedCategories);
    await this.em.execute(
      `insert into audit.campaign_round_unit (round_id, org_unit_id, depth, self_report_revision, declared_computers, declared_desktops, declared_laptops,
              declared_operators, measured_computers, measured_desktops, measured_laptops, measured_operators)
       with units as (select a.unit_id, a.depth from registry_public.org_unit_ancestry a where a.ancestor_id = ?), ${measuredCtes}
       select ?, u.unit_id, u.depth, r.revision, r.computers, r.desktops, r.laptops, r.operators,
              coalesce(m.computers, 0), coalesce(m.desktops, 0), coalesce(m.laptops, 0), coalesce(m.operators, 0)
         from units u left join mach m on m.unit_id = u.unit_id
         left join audit.self_report r on r.campaign_id = ? and r.org_unit_id = u.unit_id and r.superseded_at is null`,
      [campaign.rootUnitId, categories, id, campaign.id],
    );
    await this.em.execute(
      `insert into audit.campaign_round_unit_category (round_id, org_unit_id, category, declared_licensed, measured_licensed)
       with units as (select a.unit_id, a.depth from registry_public.org_unit_ancestry a where a.ancestor_id = ?), ${measuredCtes}
       select ?, u.unit_id, cat.category, rl.licensed, coalesce(l.licensed, 0)
         from units u cross join unnest(?::text[]) cat(category)
         left join lic l on l.unit_id = u.unit_id and l.category = cat.category
         left join audit.self_report r on r.campaign_id = ? and r.org_unit_id = u.unit_id and r.superseded_at is null
         left join audit.self_report_licensed rl on rl.self_report_id = r.id and rl.category = cat.category`,
      [campaign.rootUnitId, categories, id, categories, campaign.id],
    );
    return id;
  }

  async roundsByIds(ids: readonly string[]): Promise<RoundRecord[]> {
    if (ids.length === 0) return [];
    return this.roundRows(`r.id = any(?::uuid[])`, [sqlArray(ids)], 'r.id');
  }

  /** A campaign's rounds, newest first. */
  async listRounds(q: { campaignId: string; after: number | null; limit: number }): Promise<RoundRecord[]> {
    return this.roundRows(`r.campaign_id = ? and (?::int is null or r.number < ?::int)`, [q.campaignId, q.after, q.after], 'r.number desc', q.limit);
  }

  private async roundRows(where: string, params: unknown[], orderBy: string, limit?: number): Promise<RoundRecord[]> {
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `select r.id, r.campaign_id as "campaignId", r.number, r.label, r.phase, r.published_at as "publishedAt", r.published_by as "publishedBy"
         from audit.campaign_round r where ${where} order by ${orderBy}${limit === undefined ? '' : ' limit ?'}`,
      limit === undefined ? params : [...params, limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      campaignId: r.campaignId as string,
      number: Number(r.number),
      label: (r.label as string | null) ?? null,
      phase: r.phase as string,
      publishedAt: toDate(r.publishedAt as string) ?? new Date(0),
      publishedBy: r.publishedBy as string,
    }));
  }

  /** A round's frozen figures for the units of a scope, by unit id. */
  async roundFigures(q: { roundId: string; scopeUnitId: string | null; after: string | null; limit: number }): Promise<UnitComparison[]> {
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `select u.org_unit_id as "orgUnitId", u.depth, u.self_report_revision as revision,
              u.declared_computers as "dComputers", u.declared_desktops as "dDesktops", u.declared_laptops as "dLaptops", u.declared_operators as "dOperators",
              u.measured_computers as computers, u.measured_desktops as desktops, u.measured_laptops as laptops, u.measured_operators as operators,
              (select json_object_agg(c.category, json_build_array(c.declared_licensed, c.measured_licensed))
                 from audit.campaign_round_unit_category c where c.round_id = u.round_id and c.org_unit_id = u.org_unit_id) as licensed
         from audit.campaign_round_unit u
        where u.round_id = ? and ${inScope('u.org_unit_id')} and (?::uuid is null or u.org_unit_id > ?::uuid)
        order by u.org_unit_id limit ?`,
      [q.roundId, q.scopeUnitId, q.scopeUnitId, q.after, q.after, q.limit],
    );
    return rows.map((r) => {
      const pairs = ((typeof r.licensed === 'string' ? JSON.parse(r.licensed) : r.licensed) ?? {}) as Record<string, [number | null, number]>;
      const declaredLicensed = Object.fromEntries(Object.entries(pairs).flatMap(([c, [d]]) => (d === null ? [] : [[c, Number(d)]])));
      const measuredLicensed = Object.fromEntries(Object.entries(pairs).map(([c, [, m]]) => [c, Number(m)]));
      return {
        orgUnitId: r.orgUnitId as string,
        depth: Number(r.depth),
        revision: r.revision === null ? null : Number(r.revision),
        declared:
          r.revision === null
            ? null
            : { computers: Number(r.dComputers), desktops: Number(r.dDesktops), laptops: Number(r.dLaptops), operators: Number(r.dOperators), licensed: declaredLicensed },
        measured: { computers: Number(r.computers), desktops: Number(r.desktops), laptops: Number(r.laptops), operators: Number(r.operators), licensed: measuredLicensed },
      };
    });
  }
}
