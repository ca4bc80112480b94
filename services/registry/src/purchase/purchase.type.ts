import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, DateScalar, Money } from '@genuine/kit';
import type { PurchaseRecord, SupplierRecord } from './purchase.repository';

export enum SpendPeriodEnum {
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
}
registerEnumType(SpendPeriodEnum, {
  name: 'SpendPeriod',
  description: 'The period spend is grouped by.',
  valuesConfig: { MONTH: { description: 'Calendar months.' }, QUARTER: { description: 'Calendar quarters.' }, YEAR: { description: 'Calendar years.' } },
});

@ObjectType('Supplier', { description: 'A seller of software.' })
export class SupplierType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Name, unique.' })
  name!: string;
}

@ObjectType('Purchase', { description: 'A purchase order of a unit; each of its lines is an entitlement.' })
export class PurchaseType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Order or contract number, unique per supplier.' })
  orderNumber!: string;

  @Field(() => String, { nullable: true, description: 'Invoice number.' })
  invoiceNumber!: string | null;

  @Field(() => DateScalar, { description: 'Date of purchase.' })
  purchasedOn!: string;

  @Field(() => String, { nullable: true, description: 'Procurement method, e.g. "centralized procurement".' })
  procurementMethod!: string | null;

  @Field(() => String, { description: 'ISO 4217 currency of its prices.' })
  currency!: string;

  orgUnitId!: string;
  supplierId!: string;
  record!: PurchaseRecord;
}

@ObjectType('SpendRow', { description: 'What one unit spent in one period, in one currency.' })
export class SpendRowType {
  @Field(() => DateScalar, { description: 'First day of the period.' })
  periodStart!: string;

  @Field(() => Money, { description: 'Σ quantity × unit price of the period\'s purchase lines, exact.' })
  amount!: Money;

  @Field(() => Int, { description: 'Purchases counted.' })
  purchases!: number;

  @Field(() => Int, { description: 'Seats bought.' })
  seats!: number;

  orgUnitId!: string;
}

@ObjectType('SpendReport', { description: 'Spend per buying unit and period, and totals per currency.' })
export class SpendReportType {
  @Field(() => [SpendRowType], { description: 'One row per period, buying unit and currency, oldest period first.' })
  rows!: SpendRowType[];

  @Field(() => [Money], { description: 'Totals over every row, one per currency.' })
  totals!: Money[];
}

export function toSupplierType(record: SupplierRecord): SupplierType {
  return Object.assign(new SupplierType(), record);
}

export function toPurchaseType(record: PurchaseRecord): PurchaseType {
  return Object.assign(new PurchaseType(), {
    id: record.id,
    orderNumber: record.orderNumber,
    invoiceNumber: record.invoiceNumber,
    purchasedOn: record.purchasedOn,
    procurementMethod: record.procurementMethod,
    currency: record.currency,
    orgUnitId: record.orgUnitId,
    supplierId: record.supplierId,
    record,
  });
}

export const PurchaseConnection = ConnectionType(PurchaseType, 'PurchaseConnection', 'purchase');
export const SupplierConnection = ConnectionType(SupplierType, 'SupplierConnection', 'supplier');
