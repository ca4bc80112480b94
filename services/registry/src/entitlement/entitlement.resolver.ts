import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, encodeCursor, notFound, pageArgs, toConnection } from '@genuine/kit';
import type { AssignmentRecord } from '../assignment/assignment.repository';
import { AssignmentConnection, toAssignmentType } from '../assignment/assignment.type';
import { EditionType, toEditionType } from '../catalogue/catalogue.type';
import type { RegistryContext } from '../context';
import type { LicenseKeyRecord } from '../license-key/license-key.repository';
import { LicenseKeyConnection, toLicenseKeyType } from '../license-key/license-key.type';
import { MachineType, toMachineType } from '../machine/machine.type';
import { OrgUnitType, toOrgUnitType } from '../org-unit/org-unit.type';
import { PurchaseType, toPurchaseType } from '../purchase/purchase.type';
import { BindOemEntitlementInput, EntitlementFilter, RetireEntitlementInput, TransferEntitlementInput, UnbindOemEntitlementInput, UpdateEntitlementInput } from './entitlement.input';
import type { EntitlementCursor, EntitlementRecord } from './entitlement.repository';
import { EntitlementConnection, EntitlementGqlType, toEntitlementType } from './entitlement.type';

const cursorOf = (e: EntitlementRecord) => encodeCursor([e.createdAt, e.id] satisfies EntitlementCursor);
const byTimeAndId = (at: string, id: string) => encodeCursor([at, id]);

@Resolver(() => EntitlementGqlType)
export class EntitlementResolver {
  @Query(() => EntitlementConnection, { description: 'Entitlements owned within your scope, oldest first.' })
  async entitlements(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => EntitlementFilter, { nullable: true, description: 'Which entitlements; every active one in your scope when omitted.' }) filter: EntitlementFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<EntitlementCursor>(args.first, args.after);
    return toConnection({ ...(await ctx.services.entitlements.list(ctx.actor, filter ?? {}, first, after)), cursorOf }, toEntitlementType);
  }

  @Query(() => EntitlementGqlType, { nullable: true, description: 'An entitlement by id (NOT_FOUND outside your scope).' })
  async entitlement(@Arg('id', () => ID, { description: 'Entitlement id.' }) id: string, @Ctx() ctx: RegistryContext): Promise<EntitlementGqlType> {
    return toEntitlementType(await ctx.services.entitlements.require(ctx.actor, id));
  }

  @FieldResolver(() => EditionType, { description: 'The edition it entitles to.' })
  async edition(@Root() entitlement: EntitlementGqlType, @Ctx() ctx: RegistryContext): Promise<EditionType> {
    const edition = await ctx.services.catalogue.editionById(ctx.actor, entitlement.editionId);
    if (!edition) throw notFound('Edition');
    return toEditionType(edition);
  }

  @FieldResolver(() => OrgUnitType, { description: 'The unit that owns it.' })
  async orgUnit(@Root() entitlement: EntitlementGqlType, @Ctx() ctx: RegistryContext): Promise<OrgUnitType> {
    const unit = await ctx.services.orgUnits.getById(ctx.actor, entitlement.orgUnitId);
    if (!unit) throw notFound('Org unit');
    return toOrgUnitType(unit);
  }

  @FieldResolver(() => PurchaseType, { nullable: true, description: 'The purchase it came from; null when recorded otherwise or outside your scope.' })
  async purchase(@Root() entitlement: EntitlementGqlType, @Ctx() ctx: RegistryContext): Promise<PurchaseType | null> {
    if (!entitlement.purchaseId) return null;
    const purchase = await ctx.services.purchases.getById(ctx.actor, entitlement.purchaseId);
    return purchase ? toPurchaseType(purchase) : null;
  }

  @FieldResolver(() => MachineType, { nullable: true, description: 'For an OEM entitlement: the machine it came with.' })
  async oemMachine(@Root() entitlement: EntitlementGqlType, @Ctx() ctx: RegistryContext): Promise<MachineType | null> {
    if (!entitlement.oemMachineId) return null;
    const machine = await ctx.services.machines.getById(ctx.actor, entitlement.oemMachineId);
    return machine ? toMachineType(machine) : null;
  }

  @FieldResolver(() => Int, { description: 'Seats held now.' })
  async assignedSeats(@Root() entitlement: EntitlementGqlType, @Ctx() ctx: RegistryContext): Promise<number> {
    return ctx.services.assignments.assignedSeats(entitlement.record);
  }

  @FieldResolver(() => Int, { description: 'Seats free now (quantity − assigned seats).' })
  async freeSeats(@Root() entitlement: EntitlementGqlType, @Ctx() ctx: RegistryContext): Promise<number> {
    return entitlement.quantity - (await ctx.services.assignments.assignedSeats(entitlement.record));
  }

  @FieldResolver(() => AssignmentConnection, { description: 'Its seats, oldest first.' })
  async assignments(
    @Root() entitlement: EntitlementGqlType,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false, description: 'Include revoked seats.' }) includeRevoked: boolean,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<[string, string]>(args.first, args.after);
    const page = await ctx.services.assignments.ofEntitlement(ctx.actor, entitlement.record, includeRevoked, first, after);
    return toConnection({ ...page, cursorOf: (a: AssignmentRecord) => byTimeAndId(a.assignedAt, a.id) }, toAssignmentType);
  }

  @FieldResolver(() => LicenseKeyConnection, { description: 'Its license keys, oldest first, masked unless your role may read keys.' })
  async licenseKeys(@Root() entitlement: EntitlementGqlType, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: RegistryContext) {
    const { first, after } = pageArgs<[string, string]>(args.first, args.after);
    const page = await ctx.services.licenseKeys.ofEntitlement(ctx.actor, entitlement.record, first, after);
    return toConnection({ ...page, cursorOf: (k: LicenseKeyRecord) => byTimeAndId(k.createdAt, k.id) }, toLicenseKeyType);
  }

  @Mutation(() => EntitlementGqlType, { description: 'Changes quantity, end of validity or asset tag (MANAGE_FINANCE).' })
  async updateEntitlement(@Arg('input', () => UpdateEntitlementInput, { description: 'The changes.' }) input: UpdateEntitlementInput, @Ctx() ctx: RegistryContext): Promise<EntitlementGqlType> {
    return toEntitlementType(await ctx.services.entitlements.update(ctx.actor, input));
  }

  @Mutation(() => EntitlementGqlType, { description: 'Retires an entitlement and revokes its seats (MANAGE_FINANCE).' })
  async retireEntitlement(@Arg('input', () => RetireEntitlementInput, { description: 'The entitlement.' }) input: RetireEntitlementInput, @Ctx() ctx: RegistryContext): Promise<EntitlementGqlType> {
    return toEntitlementType(await ctx.services.entitlements.retire(ctx.actor, input.id));
  }

  @Mutation(() => EntitlementGqlType, { description: 'Hands an entitlement to another unit, revoking seats outside its subtree; history keeps the old owner (MANAGE_FINANCE).' })
  async transferEntitlement(
    @Arg('input', () => TransferEntitlementInput, { description: 'The entitlement and its new unit.' }) input: TransferEntitlementInput,
    @Ctx() ctx: RegistryContext,
  ): Promise<EntitlementGqlType> {
    return toEntitlementType(await ctx.services.entitlements.transfer(ctx.actor, input.entitlementId, input.toOrgUnitCode));
  }

  @Mutation(() => EntitlementGqlType, {
    description:
      'Binds an OEM license (type OEM, one PER_DEVICE ASSIGNED seat) to the machine it came with, in the owning unit\u2019s subtree; it then covers that machine (MANAGE_ASSIGNMENTS).',
  })
  async bindOemEntitlement(
    @Arg('input', () => BindOemEntitlementInput, { description: 'The entitlement and its machine.' }) input: BindOemEntitlementInput,
    @Ctx() ctx: RegistryContext,
  ): Promise<EntitlementGqlType> {
    return toEntitlementType(await ctx.services.entitlements.bindOem(ctx.actor, input));
  }

  @Mutation(() => EntitlementGqlType, { description: 'Releases an OEM license from its machine; it covers nothing until bound again (MANAGE_ASSIGNMENTS).' })
  async unbindOemEntitlement(
    @Arg('input', () => UnbindOemEntitlementInput, { description: 'The entitlement.' }) input: UnbindOemEntitlementInput,
    @Ctx() ctx: RegistryContext,
  ): Promise<EntitlementGqlType> {
    return toEntitlementType(await ctx.services.entitlements.unbindOem(ctx.actor, input.entitlementId));
  }
}
