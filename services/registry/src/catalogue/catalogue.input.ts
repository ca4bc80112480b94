import { ArrayMaxSize, IsOptional, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { LicenseMetric, MoneyInput, SoftwareCategory } from '@genuine/kit';

export const CATALOGUE_CODE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const codeMessage = { message: 'code must be 1-64 lowercase letters, digits, dots, dashes or underscores' };

@InputType('CreateProductInput', { description: 'A new product; its publisher is found by name or alias, or created.' })
export class CreateProductInput {
  @Length(1, 200)
  @Field(() => String, { description: 'Publisher name or alias, e.g. "Microsoft".' })
  publisher!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Product name, unique per publisher.' })
  name!: string;

  @Field(() => SoftwareCategory, { description: 'Category compliance is reported in.' })
  category!: SoftwareCategory;

  @Field(() => Boolean, { description: 'False for freeware and open source.' })
  licensable!: boolean;

  @IsOptional()
  @Matches(CATALOGUE_CODE, codeMessage)
  @Field(() => String, { nullable: true, description: 'Optional unique catalogue code, e.g. `ms-office`.' })
  code?: string | null;
}

@InputType('UpdateProductInput', { description: 'Changes to a product; omitted fields keep their value.' })
export class UpdateProductInput {
  @IsUUID()
  @Field(() => ID, { description: 'The product.' })
  id!: string;

  @IsOptional()
  @Length(1, 200)
  @Field(() => String, { nullable: true, description: 'New name.' })
  name?: string | null;

  @Field(() => SoftwareCategory, { nullable: true, description: 'New category.' })
  category?: SoftwareCategory | null;

  @Field(() => Boolean, { nullable: true, description: 'New licensable flag.' })
  licensable?: boolean | null;
}

@InputType('RetireProductInput', { description: 'The product to retire.' })
export class RetireProductInput {
  @IsUUID()
  @Field(() => ID, { description: 'The product.' })
  id!: string;
}

@InputType('CreateEditionInput', { description: 'A new edition of a product.' })
export class CreateEditionInput {
  @Field(() => ID, { description: 'The product it is an edition of.' })
  productId!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Edition name, unique per product.' })
  name!: string;

  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Version, e.g. "2016".' })
  version?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: "Publisher's stock-keeping unit." })
  sku?: string | null;

  @Field(() => LicenseMetric, { nullable: true, description: 'Default metric of its entitlements; PER_DEVICE when omitted.' })
  metric?: LicenseMetric | null;

  @IsOptional()
  @ValidateNested()
  @Field(() => MoneyInput, { nullable: true, description: 'List price of one seat.' })
  listPrice?: MoneyInput | null;

  @IsOptional()
  @ArrayMaxSize(200)
  @Field(() => [ID], { nullable: true, description: 'Editions this one may stand in for (downgrade rights, suite contents).' })
  covers?: string[] | null;

  @IsOptional()
  @ArrayMaxSize(50)
  @Field(() => [ID], { nullable: true, description: 'For a suite: the products it includes; it covers every edition of them.' })
  includesProducts?: string[] | null;

  @IsOptional()
  @Matches(CATALOGUE_CODE, codeMessage)
  @Field(() => String, { nullable: true, description: 'Optional unique catalogue code.' })
  code?: string | null;
}

@InputType('UpdateEditionInput', { description: 'Changes to an edition; omitted fields keep their value.' })
export class UpdateEditionInput {
  @IsUUID()
  @Field(() => ID, { description: 'The edition.' })
  id!: string;

  @IsOptional()
  @Length(1, 200)
  @Field(() => String, { nullable: true, description: 'New name.' })
  name?: string | null;

  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'New version.' })
  version?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'New SKU.' })
  sku?: string | null;

  @Field(() => LicenseMetric, { nullable: true, description: 'New default metric (existing entitlements keep theirs).' })
  metric?: LicenseMetric | null;

  @IsOptional()
  @ValidateNested()
  @Field(() => MoneyInput, { nullable: true, description: 'New list price.' })
  listPrice?: MoneyInput | null;

  @Field(() => Boolean, { nullable: true, description: 'True removes the list price.' })
  clearListPrice?: boolean | null;

  @IsOptional()
  @ArrayMaxSize(200)
  @Field(() => [ID], { nullable: true, description: 'When given, replaces the downgrade rights.' })
  covers?: string[] | null;

  @IsOptional()
  @ArrayMaxSize(50)
  @Field(() => [ID], { nullable: true, description: 'When given, replaces the suite contents.' })
  includesProducts?: string[] | null;
}

@InputType('RetireEditionInput', { description: 'The edition to retire.' })
export class RetireEditionInput {
  @IsUUID()
  @Field(() => ID, { description: 'The edition.' })
  id!: string;
}

@InputType('UpdatePublisherInput', { description: 'Changes to a publisher; omitted fields keep their value.' })
export class UpdatePublisherInput {
  @IsUUID()
  @Field(() => ID, { description: 'The publisher.' })
  id!: string;

  @IsOptional()
  @Length(1, 200)
  @Field(() => String, { nullable: true, description: 'New canonical name.' })
  name?: string | null;

  @IsOptional()
  @ArrayMaxSize(50)
  @Length(1, 200, { each: true })
  @Field(() => [String], { nullable: true, description: 'When given, replaces the aliases.' })
  aliases?: string[] | null;
}

@InputType('CatalogueProductInput', { description: 'A product of a catalogue import, as in the default catalogue file.' })
export class CatalogueProductInput {
  @Matches(CATALOGUE_CODE, codeMessage)
  @Field(() => String, { description: 'Unique catalogue code (the file\'s `key`).' })
  code!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Publisher name or alias.' })
  publisher!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Product name.' })
  name!: string;

  @Field(() => SoftwareCategory, { description: 'Category.' })
  category!: SoftwareCategory;

  @Field(() => Boolean, { description: 'False for freeware and open source.' })
  licensable!: boolean;
}

@InputType('CatalogueEditionInput', { description: 'An edition of a catalogue import, as in the default catalogue file.' })
export class CatalogueEditionInput {
  @Matches(CATALOGUE_CODE, codeMessage)
  @Field(() => String, { description: 'Unique catalogue code (the file\'s `key`).' })
  code!: string;

  @Matches(CATALOGUE_CODE, { message: 'product must be a product code' })
  @Field(() => String, { description: 'Code of its product, in this import or already stored.' })
  product!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Edition name.' })
  name!: string;

  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Version.' })
  version?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: "Publisher's stock-keeping unit." })
  sku?: string | null;

  @Field(() => LicenseMetric, { description: 'Default metric.' })
  metric!: LicenseMetric;

  @IsOptional()
  @ValidateNested()
  @Field(() => MoneyInput, { nullable: true, description: 'List price of one seat.' })
  listPrice?: MoneyInput | null;

  @IsOptional()
  @ArrayMaxSize(200)
  @Field(() => [String], { nullable: true, description: 'Codes of the editions it may stand in for; replaces its downgrade rights.' })
  covers?: string[] | null;

  @IsOptional()
  @ArrayMaxSize(50)
  @Field(() => [String], { nullable: true, description: 'For a suite: codes of the products it includes; replaces its suite contents.' })
  includesProducts?: string[] | null;
}

@InputType('ImportCatalogueInput', { description: 'Products and editions to create or update by code, idempotently.' })
export class ImportCatalogueInput {
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Field(() => [CatalogueProductInput], { description: 'Products, at most 2000.' })
  products!: CatalogueProductInput[];

  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Field(() => [CatalogueEditionInput], { description: 'Editions, at most 5000.' })
  editions!: CatalogueEditionInput[];
}

@InputType('PublisherFilter', { description: 'Which publishers to list.' })
export class PublisherFilter {
  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of the name or an alias.' })
  search?: string | null;
}

@InputType('ProductFilter', { description: 'Which products to list.' })
export class ProductFilter {
  @Field(() => SoftwareCategory, { nullable: true, description: 'Only this category.' })
  category?: SoftwareCategory | null;

  @Field(() => ID, { nullable: true, description: 'Only this publisher.' })
  publisherId?: string | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of the name, code or publisher name.' })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include retired products; false by default.' })
  includeRetired?: boolean | null;
}

@InputType('EditionFilter', { description: 'Which editions to list.' })
export class EditionFilter {
  @Field(() => ID, { nullable: true, description: 'Only editions of this product.' })
  productId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only editions of this publisher.' })
  publisherId?: string | null;

  @Field(() => SoftwareCategory, { nullable: true, description: "Only editions of products of this category." })
  category?: SoftwareCategory | null;

  @Field(() => LicenseMetric, { nullable: true, description: 'Only editions with this default metric.' })
  metric?: LicenseMetric | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of the name, code, SKU or product name.' })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include retired editions; false by default.' })
  includeRetired?: boolean | null;
}
