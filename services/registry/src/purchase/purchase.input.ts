import { ArrayMaxSize, ArrayMinSize, IsOptional, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { Allocation, CURRENCY_PATTERN, DateScalar, EntitlementType, LicenseMetric } from '@genuine/kit';
import { ORG_UNIT_CODE } from '../org-unit/org-unit.input';
import { SpendPeriodEnum } from './purchase.type';

const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;

@InputType('PurchaseLineInput', { description: 'One line of a purchase; it becomes one entitlement.' })
export class PurchaseLineInput {
  @IsUUID()
  @Field(() => ID, { description: 'The edition bought.' })
  editionId!: string;

  @Min(1)
  @Max(10_000_000)
  @Field(() => Int, { description: 'Seats bought.' })
  quantity!: number;

  @Matches(DECIMAL, { message: 'unitPrice must be a non-negative decimal string with at most 4 decimals, e.g. "1399.00"' })
  @Field(() => String, { description: "Decimal string in the purchase's currency." })
  unitPrice!: string;

  @Field(() => LicenseMetric, { nullable: true, description: "What a seat counts; the edition's metric when omitted." })
  metric?: LicenseMetric | null;

  @Field(() => Allocation, { nullable: true, description: 'ASSIGNED when omitted.' })
  allocation?: Allocation | null;

  @Field(() => EntitlementType, { nullable: true, description: 'PERPETUAL when omitted.' })
  type?: EntitlementType | null;

  @Field(() => DateScalar, { nullable: true, description: 'First day of validity; the purchase date when omitted.' })
  validFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last day of validity (inclusive); no end when omitted.' })
  validUntil?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Departmental asset tag of the entitlement.' })
  assetTag?: string | null;
}

@InputType('RecordPurchaseInput', { description: 'A purchase order with its lines.' })
export class RecordPurchaseInput {
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { description: 'The buying unit; it owns the entitlements.' })
  orgUnitCode!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Supplier name; a new name creates the supplier.' })
  supplier!: string;

  @Length(1, 100)
  @Field(() => String, { description: 'Order or contract number, unique per supplier.' })
  orderNumber!: string;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Invoice number.' })
  invoiceNumber?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Procurement method.' })
  procurementMethod?: string | null;

  @Field(() => DateScalar, { description: 'Date of purchase.' })
  purchasedOn!: string;

  @Matches(CURRENCY_PATTERN, { message: 'currency must be an ISO 4217 code such as CNY' })
  @Field(() => String, { description: 'ISO 4217 currency of the unit prices.' })
  currency!: string;

  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Field(() => [PurchaseLineInput], { description: 'The lines, 1 to 500.' })
  lines!: PurchaseLineInput[];
}

@InputType('PurchaseFilter', { description: 'Which purchases to list.' })
export class PurchaseFilter {
  @IsOptional()
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Bought by this unit (and its descendants by default).' })
  orgUnitCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include descendant units; true by default.' })
  includeDescendants?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Only from this supplier.' })
  supplierId?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Bought on or after this day.' })
  from?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Bought on or before this day.' })
  to?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of the order or invoice number.' })
  search?: string | null;
}

@InputType('SupplierFilter', { description: 'Which suppliers to list.' })
export class SupplierFilter {
  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of the name.' })
  search?: string | null;
}

@InputType('SpendFilter', { description: 'Which purchases a spend report sums, and by which period.' })
export class SpendFilter {
  @IsOptional()
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Bought by this unit (and its descendants by default); your scope when omitted.' })
  orgUnitCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include descendant units; true by default.' })
  includeDescendants?: boolean | null;

  @Field(() => DateScalar, { nullable: true, description: 'Bought on or after this day.' })
  from?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Bought on or before this day.' })
  to?: string | null;

  @Field(() => SpendPeriodEnum, { nullable: true, description: 'MONTH when omitted.' })
  period?: SpendPeriodEnum | null;
}
