import { Arg, Args, Ctx, Directive, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, encodeCursor, pageArgs, toConnection } from '@genuine/kit';
import type { RegistryContext } from '../context';
import { CreateOrgUnitInput } from './org-unit.input';
import { OrgUnitConnection, OrgUnitType, toOrgUnitType } from './org-unit.type';

@Resolver(() => OrgUnitType)
export class OrgUnitResolver {
  // Shared with the audit subgraph, which answers it alike, so `orgUnit(code) { compliance }` takes one hop there.
  @Directive('@shareable')
  @Query(() => OrgUnitType, { nullable: true, description: 'An org unit by its code (NOT_FOUND outside your scope).' })
  async orgUnit(@Arg('code', () => String, { description: 'The unit code, e.g. `nanxun`.' }) code: string, @Ctx() ctx: RegistryContext): Promise<OrgUnitType> {
    return toOrgUnitType(await ctx.services.orgUnits.getByCode(ctx.actor, code));
  }

  @FieldResolver(() => OrgUnitType, { nullable: true, description: 'The parent unit; null for a root or above your scope.' })
  async parent(@Root() unit: OrgUnitType, @Ctx() ctx: RegistryContext): Promise<OrgUnitType | null> {
    const parent = await ctx.services.orgUnits.parentOf(ctx.actor, unit);
    return parent ? toOrgUnitType(parent) : null;
  }

  @FieldResolver(() => [OrgUnitType], { description: 'Direct children, ordered by code.' })
  async children(@Root() unit: OrgUnitType, @Ctx() ctx: RegistryContext): Promise<OrgUnitType[]> {
    return (await ctx.services.orgUnits.childrenOf(ctx.actor, unit)).map(toOrgUnitType);
  }

  @FieldResolver(() => OrgUnitConnection, { description: 'Every unit below this one, shallowest first, then by code.' })
  async descendants(@Root() unit: OrgUnitType, @Args(() => PageArgs, { validate: false }) args: PageArgs, @Ctx() ctx: RegistryContext) {
    const { first, after } = pageArgs<[number, string]>(args.first, args.after);
    const page = await ctx.services.orgUnits.descendantsOf(ctx.actor, unit, first, after ? { depth: after[0], code: after[1] } : null);
    return toConnection(
      { ...page, cursorOf: (row: { depth: number; code: string }) => encodeCursor([row.depth, row.code]) },
      toOrgUnitType,
    );
  }

  @Mutation(() => OrgUnitType, { description: 'Creates an org unit (ADMIN).' })
  async createOrgUnit(@Arg('input', () => CreateOrgUnitInput, { description: 'The unit to create.' }) input: CreateOrgUnitInput, @Ctx() ctx: RegistryContext): Promise<OrgUnitType> {
    return toOrgUnitType(await ctx.services.orgUnits.create(ctx.actor, input));
  }
}
