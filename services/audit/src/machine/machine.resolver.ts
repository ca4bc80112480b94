import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { DateTimeScalar, PageArgs, encodeCursor, pageArgs, toConnection } from '@genuine/kit';
import type { AuditContext } from '../context';
import type {
  InstallationCursor,
  InstallationRecord,
  InventoryReportRecord,
  ReportCursor,
  StaleMachineCursor,
  StaleMachineRecord,
} from '../inventory/inventory.repository';
import { StaleMachineFilter } from './machine.input';
import {
  AntivirusEvidenceType,
  InstallationConnection,
  InventoryReportConnection,
  LicenseKeyEvidenceType,
  MachineStub,
  StaleMachineConnection,
  toAntivirusEvidenceType,
  toInstallationType,
  toInventoryReportType,
  toLicenseKeyEvidenceType,
} from './machine.type';

const machineStub = (id: string) => Object.assign(new MachineStub(), { id });

@Resolver(() => MachineStub)
export class AuditMachineResolver {
  @FieldResolver(() => InstallationConnection, { description: 'Titles the latest inventory found on the machine, the operating system included, by name.' })
  async installations(@Root() machine: MachineStub, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<InstallationCursor>(args.first, args.after);
    const page = await ctx.services.inventory.installations(ctx.actor, machine.id, first, after);
    return toConnection({ ...page, cursorOf: (i: InstallationRecord) => encodeCursor([i.rawName, i.id]) }, toInstallationType);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'When an inventory of this machine last arrived (its last-seen time; identical re-sends count).' })
  async lastInventoryAt(@Root() machine: MachineStub, @Ctx() ctx: AuditContext): Promise<Date | null> {
    return ctx.services.inventory.lastInventoryAt(ctx.actor, machine.id);
  }

  @FieldResolver(() => InventoryReportConnection, { description: 'Inventories received for this machine, newest first, with what became of each.' })
  async inventoryReports(@Root() machine: MachineStub, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<ReportCursor>(args.first, args.after);
    const page = await ctx.services.inventory.reports(ctx.actor, machine.id, first, after);
    return toConnection({ ...page, cursorOf: (r: InventoryReportRecord) => encodeCursor([r.id]) }, toInventoryReportType);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The operating system the latest inventory reported, as the agent named it.' })
  async reportedOperatingSystem(@Root() machine: MachineStub, @Ctx() ctx: AuditContext): Promise<string | null> {
    return (await ctx.services.inventory.inventoryState(ctx.actor, machine.id))?.operatingSystem ?? null;
  }

  @FieldResolver(() => [AntivirusEvidenceType], { description: 'Antivirus products the latest inventory reported (evidence; compliance counts installations).' })
  async antivirusEvidence(@Root() machine: MachineStub, @Ctx() ctx: AuditContext): Promise<AntivirusEvidenceType[]> {
    return ((await ctx.services.inventory.inventoryState(ctx.actor, machine.id))?.antivirus ?? []).map(toAntivirusEvidenceType);
  }

  @FieldResolver(() => [LicenseKeyEvidenceType], { description: 'Product keys the latest inventory reported, masked.' })
  async licenseKeyEvidence(@Root() machine: MachineStub, @Ctx() ctx: AuditContext): Promise<LicenseKeyEvidenceType[]> {
    return ((await ctx.services.inventory.inventoryState(ctx.actor, machine.id))?.licenseKeys ?? []).map(toLicenseKeyEvidenceType);
  }
}

@Resolver()
export class StaleMachineResolver {
  @Query(() => StaleMachineConnection, { description: 'Active machines of your scope whose last inventory is older than a threshold (or that never sent one), longest silent first.' })
  async staleMachines(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => StaleMachineFilter, { nullable: true, description: 'Threshold and unit; 30 days over your whole scope when omitted.' }) filter: StaleMachineFilter | null,
    @Ctx() ctx: AuditContext,
  ) {
    const { first, after } = pageArgs<StaleMachineCursor>(args.first, args.after);
    const page = await ctx.services.inventory.staleMachines(ctx.actor, filter ?? {}, first, after);
    return toConnection({ ...page, cursorOf: (m: StaleMachineRecord) => encodeCursor([m.sortKey, m.id]) }, (m) => machineStub(m.id));
  }
}

/** Resolves `Machine` references through the batched scope loader: null for machines outside the caller's scope. */
export async function resolveMachineReference(reference: { id: string }, ctx: AuditContext): Promise<MachineStub | null> {
  return (await ctx.services.inventory.isVisible(ctx.actor, reference.id)) ? machineStub(reference.id) : null;
}
