import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, encodeCursor, notFound, pageArgs, toConnection } from '@genuine/kit';
import type { RegistryContext } from '../context';
import { OrgUnitType, toOrgUnitType } from '../org-unit/org-unit.type';
import { MachineFilter, RegisterMachineInput } from './machine.input';
import type { MachineCursor, MachineRecord } from './machine.repository';
import { MachineConnection, MachineType, toMachineType } from './machine.type';

const cursorOf = (m: MachineRecord) => encodeCursor([m.hostname ?? '', m.id] satisfies MachineCursor);

@Resolver(() => MachineType)
export class MachineResolver {
  @Query(() => MachineConnection, { description: 'Machines within your scope, by hostname.' })
  async machines(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => MachineFilter, { nullable: true, description: 'Which machines; your whole scope when omitted.' }) filter: MachineFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<MachineCursor>(args.first, args.after);
    const page = await ctx.services.machines.list(ctx.actor, filter ?? {}, first, after);
    return toConnection({ ...page, cursorOf }, toMachineType);
  }

  @Query(() => MachineType, { nullable: true, description: 'A machine by id (NOT_FOUND outside your scope).' })
  async machine(@Arg('id', () => ID, { description: 'Machine id.' }) id: string, @Ctx() ctx: RegistryContext): Promise<MachineType> {
    const machine = await ctx.services.machines.getById(ctx.actor, id);
    if (!machine) throw notFound('Machine');
    return toMachineType(machine);
  }

  @FieldResolver(() => OrgUnitType, { description: 'The unit that owns the machine.' })
  async orgUnit(@Root() machine: MachineType, @Ctx() ctx: RegistryContext): Promise<OrgUnitType> {
    const unit = await ctx.services.orgUnits.getById(ctx.actor, machine.orgUnitId);
    if (!unit) throw notFound('Org unit');
    return toOrgUnitType(unit);
  }

  @Mutation(() => MachineType, { description: 'Registers a machine, or returns the one already known by uuid, serial or hostname.' })
  async registerMachine(@Arg('input', () => RegisterMachineInput, { description: 'The machine to register.' }) input: RegisterMachineInput, @Ctx() ctx: RegistryContext): Promise<MachineType> {
    return toMachineType(await ctx.services.machines.register(ctx.actor, input));
  }
}

@Resolver(() => OrgUnitType)
export class OrgUnitMachinesResolver {
  @FieldResolver(() => MachineConnection, { description: "The unit's own machines (not its descendants'), by hostname." })
  async machines(@Root() unit: OrgUnitType, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: RegistryContext) {
    const { first, after } = pageArgs<MachineCursor>(args.first, args.after);
    const page = after
      ? await ctx.services.machines.list(ctx.actor, { orgUnitCode: unit.code, includeDescendants: false }, first, after)
      : await ctx.services.machines.firstOfUnit(ctx.actor, unit, first);
    return toConnection({ ...page, cursorOf }, toMachineType);
  }
}
