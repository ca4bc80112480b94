import { Arg, Ctx, Directive, Query, Resolver } from 'type-graphql';
import { OrgUnitStub } from '../compliance/compliance.type';
import type { AuditContext } from '../context';

@Resolver(() => OrgUnitStub)
export class AuditOrgUnitResolver {
  // Shared with the registry, with the same description and argument: see OrgUnitService.
  @Directive('@shareable')
  @Query(() => OrgUnitStub, { nullable: true, description: 'An org unit by its code (NOT_FOUND outside your scope).' })
  async orgUnit(@Arg('code', () => String, { description: 'The unit code, e.g. `nanxun`.' }) code: string, @Ctx() ctx: AuditContext): Promise<OrgUnitStub> {
    return Object.assign(new OrgUnitStub(), await ctx.services.orgUnits.getByCode(ctx.actor, code));
  }
}
