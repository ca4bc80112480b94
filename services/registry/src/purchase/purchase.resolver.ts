import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Money, PageArgs, encodeCursor, formatAmount, notFound, pageArgs, toConnection } from '@genuine/kit';
import type { RegistryContext } from '../context';
import { EntitlementGqlType, toEntitlementType } from '../entitlement/entitlement.type';
import { OrgUnitType, toOrgUnitType } from '../org-unit/org-unit.type';
import { PurchaseFilter, RecordPurchaseInput, SpendFilter, SupplierFilter } from './purchase.input';
import type { PurchaseCursor, PurchaseRecord, SupplierRecord } from './purchase.repository';
import { PurchaseConnection, PurchaseType, SpendReportType, SpendRowType, SupplierConnection, SupplierType, toPurchaseType, toSupplierType } from './purchase.type';

const cursorOf = (p: PurchaseRecord) => encodeCursor([p.purchasedOn, p.id] satisfies PurchaseCursor);
const money = (amount: string, currency: string) => Object.assign(new Money(), { amount: formatAmount(amount), currency });

@Resolver(() => PurchaseType)
export class PurchaseResolver {
  @Query(() => PurchaseConnection, { description: 'Purchases of units within your scope, newest first.' })
  async purchases(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => PurchaseFilter, { nullable: true, description: 'Which purchases; every one in your scope when omitted.' }) filter: PurchaseFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<PurchaseCursor>(args.first, args.after);
    return toConnection({ ...(await ctx.services.purchases.list(ctx.actor, filter ?? {}, first, after)), cursorOf }, toPurchaseType);
  }

  @Query(() => PurchaseType, { nullable: true, description: 'A purchase by id (NOT_FOUND outside your scope).' })
  async purchase(@Arg('id', () => ID, { description: 'Purchase id.' }) id: string, @Ctx() ctx: RegistryContext): Promise<PurchaseType> {
    return toPurchaseType(await ctx.services.purchases.require(ctx.actor, id));
  }

  @Query(() => SupplierConnection, { description: 'Suppliers, by name.' })
  async suppliers(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => SupplierFilter, { nullable: true, description: 'Which suppliers; all when omitted.' }) filter: SupplierFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<[string, string]>(args.first, args.after);
    const page = await ctx.services.purchases.listSuppliers(ctx.actor, filter?.search?.trim() || null, first, after);
    return toConnection({ ...page, cursorOf: (s: SupplierRecord) => encodeCursor([s.name, s.id]) }, toSupplierType);
  }

  @Query(() => SpendReportType, { description: 'Spend per buying unit and period, exact decimals (MANAGE_FINANCE).' })
  async spend(@Arg('filter', () => SpendFilter, { nullable: true, description: 'Which purchases and which period; your scope by month when omitted.' }) filter: SpendFilter | null, @Ctx() ctx: RegistryContext): Promise<SpendReportType> {
    const report = await ctx.services.purchases.spend(ctx.actor, filter ?? {});
    return Object.assign(new SpendReportType(), {
      rows: report.rows.map((r) => Object.assign(new SpendRowType(), { periodStart: r.periodStart, amount: money(r.amount, r.currency), purchases: r.purchases, seats: r.seats, orgUnitId: r.orgUnitId })),
      totals: report.totals.map((t) => money(t.amount, t.currency)),
    });
  }

  @FieldResolver(() => OrgUnitType, { description: 'The buying unit.' })
  async orgUnit(@Root() purchase: PurchaseType, @Ctx() ctx: RegistryContext): Promise<OrgUnitType> {
    const unit = await ctx.services.orgUnits.getById(ctx.actor, purchase.orgUnitId);
    if (!unit) throw notFound('Org unit');
    return toOrgUnitType(unit);
  }

  @FieldResolver(() => SupplierType, { description: 'Who sold it.' })
  async supplier(@Root() purchase: PurchaseType, @Ctx() ctx: RegistryContext): Promise<SupplierType> {
    const supplier = await ctx.services.purchases.supplierById(ctx.actor, purchase.supplierId);
    if (!supplier) throw notFound('Supplier');
    return toSupplierType(supplier);
  }

  @FieldResolver(() => [EntitlementGqlType], { description: 'One entitlement per line, in line order (those in your scope).' })
  async entitlements(@Root() purchase: PurchaseType, @Ctx() ctx: RegistryContext): Promise<EntitlementGqlType[]> {
    return (await ctx.services.entitlements.ofPurchase(ctx.actor, purchase.id)).map(toEntitlementType);
  }

  @FieldResolver(() => Money, { description: 'Σ quantity × unit price of its lines, exact.' })
  async total(@Root() purchase: PurchaseType, @Ctx() ctx: RegistryContext): Promise<Money> {
    return money(await ctx.services.purchases.totalOf(purchase.record), purchase.currency);
  }

  @Mutation(() => PurchaseType, { description: "Records a purchase; each line becomes an entitlement owned by the buying unit (MANAGE_FINANCE). Defaults: the edition's metric, ASSIGNED, valid from the purchase date, no end." })
  async recordPurchase(@Arg('input', () => RecordPurchaseInput, { description: 'The purchase.' }) input: RecordPurchaseInput, @Ctx() ctx: RegistryContext): Promise<PurchaseType> {
    return toPurchaseType((await ctx.services.purchases.record(ctx.actor, input)).purchase);
  }
}

@Resolver(() => SpendRowType)
export class SpendRowResolver {
  @FieldResolver(() => OrgUnitType, { description: 'The buying unit.' })
  async orgUnit(@Root() row: SpendRowType, @Ctx() ctx: RegistryContext): Promise<OrgUnitType> {
    const unit = await ctx.services.orgUnits.getById(ctx.actor, row.orgUnitId);
    if (!unit) throw notFound('Org unit');
    return toOrgUnitType(unit);
  }
}
