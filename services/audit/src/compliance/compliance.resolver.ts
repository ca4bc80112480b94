import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { type ComplianceStatus, encodeCursor, PageArgs, pageArgs, SoftwareCategory, toConnection, type Money } from '@genuine/kit';
import type { AuditContext } from '../context';
import { editionStub } from '../edition/edition.type';
import { MachineStub } from '../machine/machine.type';
import { ExpiringArgs, PositionFilterInput } from './compliance.input';
import type { ExplanationRow, PositionRow } from './compliance.repository';
import {
  type CoverageBasis,
  ExpiringEntitlementType,
  InstallCoverageConnection,
  InstallCoverageType,
  LicensePositionConnection,
  LicensePositionType,
  MachineCategoryStatusType,
  OrgUnitComplianceType,
  OrgUnitStub,
  ReclaimableSeatType,
  RecomputeResultType,
} from './compliance.type';

const CATEGORY_ORDER = ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS', 'DATABASE', 'DESIGN', 'DEVELOPMENT', 'OTHER'];
const MAIN_CURRENCY = 'CNY';
const machine = (id: string) => Object.assign(new MachineStub(), { id });
const money = (amount: string, currency: string): Money => ({ amount, currency });

const reasons: Record<string, string> = {
  DEVICE: 'covered by a seat assigned to this machine',
  USER: "covered by a per-user seat of the machine's operator",
  SITE: 'covered by a site license of the unit or an ancestor',
  OEM: 'covered by an OEM license bound to this machine',
  POOL: 'covered by a seat of a pooled entitlement of the unit or an ancestor',
  FREE: 'the product needs no license',
};

function toCoverage(row: ExplanationRow): InstallCoverageType {
  return Object.assign(new InstallCoverageType(), {
    machine: machine(row.machineId),
    edition: editionStub(row.editionId),
    category: row.category as SoftwareCategory,
    licensable: row.licensable,
    coveredBy: (row.basis as CoverageBasis | null) ?? null,
    entitlementId: row.entitlementId,
    reason: row.basis
      ? reasons[row.basis]
      : 'not covered: no active seat on this machine or its operator, no site or OEM license, and no free seat in a pool of the unit or its ancestors',
  });
}

function toPosition(row: PositionRow): LicensePositionType {
  return Object.assign(new LicensePositionType(), {
    ...row,
    edition: editionStub(row.editionId),
    category: row.category as SoftwareCategory,
    unitCost: row.unitCost && row.currency ? money(row.unitCost, row.currency) : null,
    shortfallCost: row.shortfallCost && row.currency ? money(row.shortfallCost, row.currency) : null,
  });
}

@Resolver(() => OrgUnitStub)
export class OrgUnitComplianceResolver {
  @FieldResolver(() => OrgUnitComplianceType, { description: "The unit's compliance, with its descendants unless told otherwise." })
  async compliance(
    @Root() unit: OrgUnitStub,
    @Arg('includeDescendants', () => Boolean, { nullable: true, defaultValue: true, description: 'Count the machines of descendant units too.' }) includeDescendants: boolean | null,
    @Ctx() ctx: AuditContext,
  ): Promise<OrgUnitComplianceType> {
    const figures = await ctx.services.compliance.unitFigures(ctx.actor, unit.id, includeDescendants ?? true);
    const machineCount = figures.totals?.machineCount ?? 0;
    const byCategory = new Map(figures.categories.map((c) => [c.category, c]));
    const categories = CATEGORY_ORDER.map((category) => {
      const c = byCategory.get(category);
      const licensed = c?.licensed ?? 0;
      return {
        category: category as SoftwareCategory,
        machineCount,
        licensed,
        unlicensed: c?.unlicensed ?? 0,
        missing: c?.missing ?? machineCount,
        rate: machineCount === 0 ? 0 : licensed / machineCount,
      };
    });
    const costs = figures.costs.map((c) => money(c.amount, c.currency));
    const main = costs.find((c) => c.currency === MAIN_CURRENCY) ?? costs[0] ?? money('0.00', MAIN_CURRENCY);
    return Object.assign(new OrgUnitComplianceType(), { machineCount, fullyLicensed: figures.totals?.fullyLicensed ?? 0, categories, shortfallCost: main, shortfallCosts: costs });
  }

  @FieldResolver(() => LicensePositionConnection, { description: 'License positions per edition, by edition id.' })
  async positions(
    @Root() unit: OrgUnitStub,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => PositionFilterInput, { nullable: true, description: 'Which positions.' }) filter: PositionFilterInput | null,
    @Arg('includeDescendants', () => Boolean, { nullable: true, defaultValue: true, description: 'Sum the descendant units too.' }) includeDescendants: boolean | null,
    @Ctx() ctx: AuditContext,
  ) {
    const { first, after } = pageArgs<string>(args.first, args.after);
    const page = await ctx.services.compliance.positions(ctx.actor, unit.id, includeDescendants ?? true, filter ?? {}, first, after);
    return toConnection({ ...page, cursorOf: (p: PositionRow) => encodeCursor(p.editionId) }, toPosition);
  }

  @FieldResolver(() => InstallCoverageConnection, { description: 'Licensable installations nothing covers, in the unit and its descendants.' })
  async unlicensedInstallations(@Root() unit: OrgUnitStub, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<[string, string]>(args.first, args.after);
    const page = await ctx.services.compliance.unlicensed(ctx.actor, unit.id, first, after);
    return toConnection({ ...page, cursorOf: (r: ExplanationRow) => encodeCursor([r.machineId, r.editionId]) }, toCoverage);
  }

  @FieldResolver(() => [ReclaimableSeatType], { description: 'Seats of entitlements owned here that cover nothing installed on their machine.' })
  async reclaimableSeats(@Root() unit: OrgUnitStub, @Args(() => ExpiringArgs) args: ExpiringArgs, @Ctx() ctx: AuditContext): Promise<ReclaimableSeatType[]> {
    const rows = await ctx.services.compliance.reclaimable(ctx.actor, unit.id, args.first ?? 100);
    return rows.map((r) => Object.assign(new ReclaimableSeatType(), { assignmentId: r.assignmentId, entitlementId: r.entitlementId, machine: machine(r.machineId) }));
  }

  @FieldResolver(() => [ExpiringEntitlementType], { description: 'Entitlements owned here or below whose validity ends within `days`.' })
  async expiringEntitlements(@Root() unit: OrgUnitStub, @Args(() => ExpiringArgs) args: ExpiringArgs, @Ctx() ctx: AuditContext): Promise<ExpiringEntitlementType[]> {
    const rows = await ctx.services.compliance.expiring(ctx.actor, unit.id, args.days ?? 90, args.first ?? 100);
    return rows.map((r) => Object.assign(new ExpiringEntitlementType(), r));
  }

  @Mutation(() => RecomputeResultType, { description: 'Recomputes every figure from scratch (unscoped ADMIN). Figures stay readable meanwhile.' })
  async recomputeCompliance(@Ctx() ctx: AuditContext): Promise<RecomputeResultType> {
    return Object.assign(new RecomputeResultType(), await ctx.services.compliance.recompute(ctx.actor));
  }
}

@Resolver(() => MachineStub)
export class MachineComplianceResolver {
  @FieldResolver(() => [MachineCategoryStatusType], { description: "The machine's status per category." })
  async compliance(@Root() m: MachineStub, @Ctx() ctx: AuditContext): Promise<MachineCategoryStatusType[]> {
    const rows = await ctx.services.compliance.machineStatuses(ctx.actor, m.id);
    return rows.map((r) => Object.assign(new MachineCategoryStatusType(), { category: r.category as SoftwareCategory, status: r.status as ComplianceStatus }));
  }

  @FieldResolver(() => [InstallCoverageType], { description: 'Why the machine stands where it does: each recognized edition and what covers it.' })
  async complianceExplanation(
    @Root() m: MachineStub,
    @Arg('category', () => SoftwareCategory, { nullable: true, description: 'Only this category.' }) category: SoftwareCategory | null,
    @Ctx() ctx: AuditContext,
  ): Promise<InstallCoverageType[]> {
    return (await ctx.services.compliance.explanation(ctx.actor, m.id, category ?? null)).map(toCoverage);
  }
}

/** `OrgUnit` references from the registry: a stub when the unit is inside the caller's scope. */
export async function resolveOrgUnitReference(reference: { id: string }, ctx: AuditContext): Promise<OrgUnitStub | null> {
  return (await ctx.loaders.compliance.unitInScope.load(reference.id)) ? Object.assign(new OrgUnitStub(), { id: reference.id }) : null;
}
