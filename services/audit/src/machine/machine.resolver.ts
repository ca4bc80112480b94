import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { DateTimeScalar, PageArgs, encodeCursor, pageArgs, toConnection } from '@genuine/kit';
import type { AuditContext } from '../context';
import type { InstallationCursor, InstallationRecord } from '../inventory/inventory.repository';
import { InstallationConnection, MachineStub, toInstallationType } from './machine.type';

@Resolver(() => MachineStub)
export class AuditMachineResolver {
  @FieldResolver(() => InstallationConnection, { description: 'Titles the latest inventory found on the machine, by name.' })
  async installations(@Root() machine: MachineStub, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AuditContext) {
    const { first, after } = pageArgs<InstallationCursor>(args.first, args.after);
    const page = await ctx.services.inventory.installations(ctx.actor, machine.id, first, after);
    return toConnection({ ...page, cursorOf: (i: InstallationRecord) => encodeCursor([i.rawName, i.id]) }, toInstallationType);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'When an inventory of this machine last arrived.' })
  async lastInventoryAt(@Root() machine: MachineStub, @Ctx() ctx: AuditContext): Promise<Date | null> {
    return ctx.services.inventory.lastInventoryAt(ctx.actor, machine.id);
  }
}

/** Resolves `Machine` references through the batched scope loader: null for machines outside the caller's scope. */
export async function resolveMachineReference(reference: { id: string }, ctx: AuditContext): Promise<MachineStub | null> {
  return (await ctx.services.inventory.isVisible(ctx.actor, reference.id)) ? Object.assign(new MachineStub(), { id: reference.id }) : null;
}
