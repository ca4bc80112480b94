import { Directive, Field, ID, ObjectType, Int } from 'type-graphql';
import { ConnectionType, LicenseMetric, Money, SoftwareCategory } from '@genuine/kit';
import { toMoney } from '../money';
import type { EditionRecord, ProductRecord, PublisherRecord } from './catalogue.repository';

@ObjectType('Publisher', { description: 'A software publisher.' })
export class PublisherType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Canonical name.' })
  name!: string;

  @Field(() => [String], { description: 'Other spellings inventories and purchase orders use; matched ignoring case.' })
  aliases!: string[];
}

/** A product as the API shows it; `@key` so the audit subgraph can refer to it. */
@Directive('@key(fields: "id")')
@ObjectType('Product', { description: 'A software product of a publisher, e.g. Windows or WPS Office.' })
export class ProductType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Stable catalogue key (e.g. `ms-office`); null for products created by hand.' })
  code!: string | null;

  @Field(() => String, { description: 'Product name.' })
  name!: string;

  @Field(() => SoftwareCategory, { description: 'Category compliance is reported in.' })
  category!: SoftwareCategory;

  @Field(() => Boolean, { description: 'False for freeware and open source: installs need no entitlement.' })
  licensable!: boolean;

  @Field(() => Boolean, { description: 'Retired products stay for history but leave the default lists.' })
  retired!: boolean;

  /** Not a GraphQL field: carried for the publisher resolver. */
  publisherId!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('Edition', { description: 'A sellable edition of a product, with its default metric, list price and coverage.' })
export class EditionType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Stable catalogue key (e.g. `ms-office-2016-pro-plus`); null for editions created by hand.' })
  code!: string | null;

  @Field(() => String, { description: 'Edition name, e.g. "Office Professional Plus 2016".' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Version, e.g. "2016".' })
  version!: string | null;

  @Field(() => String, { nullable: true, description: "Publisher's stock-keeping unit." })
  sku!: string | null;

  @Field(() => LicenseMetric, { description: 'Default metric of entitlements to this edition.' })
  metric!: LicenseMetric;

  @Field(() => Money, { nullable: true, description: 'List price of one seat; null when unknown.' })
  listPrice!: Money | null;

  @Field(() => Boolean, { description: 'Retired editions stay for history but leave the default lists.' })
  retired!: boolean;

  /** Not a GraphQL field: carried for the product resolver. */
  productId!: string;
}

@ObjectType('CatalogueImportEntry', { description: 'One imported product or edition: its id and catalogue code.' })
export class CatalogueImportEntry {
  @Field(() => ID, { description: 'Identifier of the product or edition.' })
  id!: string;

  @Field(() => String, { description: 'Its catalogue code.' })
  code!: string;
}

@ObjectType('CatalogueImportResult', { description: 'What an import created or updated, in input order.' })
export class CatalogueImportResultType {
  @Field(() => [CatalogueImportEntry], { description: 'The products, in input order.' })
  products!: CatalogueImportEntry[];

  @Field(() => [CatalogueImportEntry], { description: 'The editions, in input order.' })
  editions!: CatalogueImportEntry[];

  @Field(() => Int, { description: 'Products and editions created.' })
  created!: number;

  @Field(() => Int, { description: 'Products and editions that existed and changed; unchanged ones are not counted.' })
  updated!: number;
}

export function toPublisherType(record: PublisherRecord): PublisherType {
  return Object.assign(new PublisherType(), { id: record.id, name: record.name, aliases: record.aliases });
}

export function toProductType(record: ProductRecord): ProductType {
  return Object.assign(new ProductType(), {
    id: record.id,
    code: record.code,
    name: record.name,
    category: record.category,
    licensable: record.licensable,
    retired: record.retiredAt !== null,
    publisherId: record.publisherId,
  });
}

export function toEditionType(record: EditionRecord): EditionType {
  return Object.assign(new EditionType(), {
    id: record.id,
    code: record.code,
    name: record.name,
    version: record.version,
    sku: record.sku,
    metric: record.metric,
    listPrice: toMoney(record.listPrice, record.listCurrency),
    retired: record.retiredAt !== null,
    productId: record.productId,
  });
}

export const PublisherConnection = ConnectionType(PublisherType, 'PublisherConnection', 'publisher');
export const ProductConnection = ConnectionType(ProductType, 'ProductConnection', 'product');
export const EditionConnection = ConnectionType(EditionType, 'EditionConnection', 'edition');
