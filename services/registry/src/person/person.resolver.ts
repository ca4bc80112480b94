import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, encodeCursor, notFound, pageArgs, toConnection } from '@genuine/kit';
import { AssignmentType, toAssignmentType } from '../assignment/assignment.type';
import type { RegistryContext } from '../context';
import { MachineType, toMachineType } from '../machine/machine.type';
import { OrgUnitType, toOrgUnitType } from '../org-unit/org-unit.type';
import { CreatePersonInput, PersonFilter } from './person.input';
import type { PersonRecord } from './person.repository';
import { PersonConnection, PersonType, toPersonType } from './person.type';

const cursorOf = (p: PersonRecord) => encodeCursor([p.name, p.id]);

@Resolver(() => PersonType)
export class PersonResolver {
  @Query(() => PersonConnection, { description: 'People within your scope, by name.' })
  async people(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => PersonFilter, { nullable: true, description: 'Which people; your whole scope when omitted.' }) filter: PersonFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<[string, string]>(args.first, args.after);
    return toConnection({ ...(await ctx.services.people.list(ctx.actor, filter ?? {}, first, after)), cursorOf }, toPersonType);
  }

  @Query(() => PersonType, { nullable: true, description: 'A person by id (NOT_FOUND outside your scope).' })
  async person(@Arg('id', () => ID, { description: 'Person id.' }) id: string, @Ctx() ctx: RegistryContext): Promise<PersonType> {
    return toPersonType(await ctx.services.people.require(ctx.actor, id));
  }

  @FieldResolver(() => OrgUnitType, { description: 'Their unit.' })
  async orgUnit(@Root() person: PersonType, @Ctx() ctx: RegistryContext): Promise<OrgUnitType> {
    const unit = await ctx.services.orgUnits.getById(ctx.actor, person.orgUnitId);
    if (!unit) throw notFound('Org unit');
    return toOrgUnitType(unit);
  }

  @FieldResolver(() => [MachineType], { description: 'Machines they operate (few), by hostname.' })
  async machines(@Root() person: PersonType, @Ctx() ctx: RegistryContext): Promise<MachineType[]> {
    return (await ctx.services.machines.operatedBy(ctx.actor, person.id)).map(toMachineType);
  }

  @FieldResolver(() => [AssignmentType], { description: 'Per-user seats they hold (few), newest first.' })
  async assignments(
    @Root() person: PersonType,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false, description: 'Include revoked seats.' }) includeRevoked: boolean,
    @Ctx() ctx: RegistryContext,
  ): Promise<AssignmentType[]> {
    return (await ctx.services.assignments.ofPerson(ctx.actor, person.id, includeRevoked)).map(toAssignmentType);
  }

  @Mutation(() => PersonType, { description: 'Creates a person of a unit (MANAGE_MACHINES).' })
  async createPerson(@Arg('input', () => CreatePersonInput, { description: 'The person.' }) input: CreatePersonInput, @Ctx() ctx: RegistryContext): Promise<PersonType> {
    return toPersonType(await ctx.services.people.create(ctx.actor, input));
  }
}
