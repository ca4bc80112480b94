import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, encodeCursor, notFound, pageArgs, toConnection, type ConnectionShape, type Page } from '@genuine/kit';
import type { RegistryContext } from '../context';
import { OrgUnitType, toOrgUnitType } from '../org-unit/org-unit.type';
import { AssignmentType, toAssignmentType } from '../assignment/assignment.type';
import { PersonType, toPersonType } from '../person/person.type';
import { ImportMachinesInput, MachineFilter, MoveMachineInput, RegisterMachineInput, RegisterMachinesInput, RetireMachineInput, SetMachineOperatorInput } from './machine.input';
import type { MachineCursor, MachineRecord } from './machine.repository';
import { MachineConnection, MachineImportErrorType, MachineImportResultType, MachineType, toListedMachineType, toMachineType } from './machine.type';

const cursorOf = (m: MachineRecord) => encodeCursor([m.hostname ?? '', m.id] satisfies MachineCursor);

/** An edge whose cursor is encoded only if the client asks for it (dashboards page through units, not machines). */
class LazyEdge<N> {
  constructor(
    private readonly record: MachineRecord,
    readonly node: N,
  ) {}

  get cursor(): string {
    return cursorOf(this.record);
  }
}

/** `toConnection` for a page of machines, with lazy cursors. */
function machineConnection<N>(page: Omit<Page<MachineRecord>, 'cursorOf'>, map: (item: MachineRecord) => N): ConnectionShape<N> {
  const edges = page.items.map((item) => new LazyEdge(item, map(item)));
  const last = page.items.length ? page.items[page.items.length - 1] : null;
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      get endCursor() {
        return last ? cursorOf(last) : null;
      },
    },
    totalCount: page.totalCount,
  };
}

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
    return toMachineType(await ctx.services.machines.require(ctx.actor, id));
  }

  @FieldResolver(() => OrgUnitType, { description: 'The unit that owns the machine.' })
  orgUnit(@Root() machine: MachineType, @Ctx() ctx: RegistryContext): OrgUnitType | Promise<OrgUnitType> {
    // Listed under a unit the caller sees: that unit, without a promise per machine.
    return machine.listedUnder ?? this.lookUpOrgUnit(machine, ctx);
  }

  private async lookUpOrgUnit(machine: MachineType, ctx: RegistryContext): Promise<OrgUnitType> {
    const unit = await ctx.services.orgUnits.getById(ctx.actor, machine.orgUnitId);
    if (!unit) throw notFound('Org unit');
    return toOrgUnitType(unit);
  }

  @FieldResolver(() => [AssignmentType], { description: 'Seats the machine holds (few), newest first.' })
  async assignments(
    @Root() machine: MachineType,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false, description: 'Include revoked seats.' }) includeRevoked: boolean,
    @Ctx() ctx: RegistryContext,
  ): Promise<AssignmentType[]> {
    return (await ctx.services.assignments.ofMachine(ctx.actor, machine.id, includeRevoked)).map(toAssignmentType);
  }

  @FieldResolver(() => PersonType, { nullable: true, description: 'The person operating it (their PER_USER seats cover it).' })
  async operatorPerson(@Root() machine: MachineType, @Ctx() ctx: RegistryContext): Promise<PersonType | null> {
    if (!machine.operatorPersonId) return null;
    const person = await ctx.services.people.getById(ctx.actor, machine.operatorPersonId);
    return person ? toPersonType(person) : null;
  }

  @Mutation(() => [MachineType], { description: 'Registers up to 500 machines at once, idempotently; returns them in input order. All or nothing.' })
  async registerMachines(@Arg('input', () => RegisterMachinesInput, { description: 'The machines.' }) input: RegisterMachinesInput, @Ctx() ctx: RegistryContext): Promise<MachineType[]> {
    return (await ctx.services.machines.registerMany(ctx.actor, input.machines)).map(toMachineType);
  }

  @Mutation(() => MachineImportResultType, { description: 'Imports the self-check spreadsheet (CSV); reports every bad line, and imports nothing then unless asked to import the good lines.' })
  async importMachines(@Arg('input', () => ImportMachinesInput, { description: 'The spreadsheet.' }) input: ImportMachinesInput, @Ctx() ctx: RegistryContext): Promise<MachineImportResultType> {
    const result = await ctx.services.machines.importCsv(ctx.actor, input.csv, input.importValidRows ?? false);
    return Object.assign(new MachineImportResultType(), {
      imported: result.machines.length,
      errors: result.errors.map((e) => Object.assign(new MachineImportErrorType(), e)),
      machines: result.machines.slice(0, 500).map(toMachineType),
    });
  }

  @Mutation(() => MachineType, { description: 'Moves a machine to another unit of your scope (MANAGE_MACHINES).' })
  async moveMachine(@Arg('input', () => MoveMachineInput, { description: 'The machine and its new unit.' }) input: MoveMachineInput, @Ctx() ctx: RegistryContext): Promise<MachineType> {
    return toMachineType(await ctx.services.machines.move(ctx.actor, input.machineId, input.toOrgUnitCode));
  }

  @Mutation(() => MachineType, { description: 'Retires a machine and revokes its seats; it stays for history (MANAGE_MACHINES).' })
  async retireMachine(@Arg('input', () => RetireMachineInput, { description: 'The machine.' }) input: RetireMachineInput, @Ctx() ctx: RegistryContext): Promise<MachineType> {
    return toMachineType(await ctx.services.machines.retire(ctx.actor, input.machineId));
  }

  @Mutation(() => MachineType, { description: 'Sets or clears the person operating a machine (MANAGE_MACHINES).' })
  async setMachineOperator(@Arg('input', () => SetMachineOperatorInput, { description: 'The machine and its operator.' }) input: SetMachineOperatorInput, @Ctx() ctx: RegistryContext): Promise<MachineType> {
    return toMachineType(await ctx.services.machines.setOperator(ctx.actor, input.machineId, input.personId ?? null));
  }

  @Mutation(() => MachineType, { description: 'Registers a machine, or returns the one already known by uuid, serial or hostname.' })
  async registerMachine(@Arg('input', () => RegisterMachineInput, { description: 'The machine to register.' }) input: RegisterMachineInput, @Ctx() ctx: RegistryContext): Promise<MachineType> {
    return toMachineType(await ctx.services.machines.register(ctx.actor, input));
  }
}

@Resolver(() => OrgUnitType)
export class OrgUnitMachinesResolver {
  // PageArgs has no class-validator rules (pageArgs checks the bounds): skipping the validator saves it per unit.
  @FieldResolver(() => MachineConnection, { description: "The unit's own machines (not its descendants'), by hostname." })
  async machines(@Root() unit: OrgUnitType, @Args(() => PageArgs, { validate: false }) args: PageArgs, @Ctx() ctx: RegistryContext) {
    const { first, after } = pageArgs<MachineCursor>(args.first, args.after);
    const page = after
      ? await ctx.services.machines.list(ctx.actor, { orgUnitCode: unit.code, includeDescendants: false }, first, after)
      : await ctx.services.machines.firstOfUnit(ctx.actor, unit, first);
    const listedUnder = ctx.services.orgUnits.visible(ctx.actor, unit);
    return machineConnection(page, (m) => toListedMachineType(m, listedUnder));
  }
}
