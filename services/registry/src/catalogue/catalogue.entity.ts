import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { LicenseMetric, SoftwareCategory } from '@genuine/kit';

/** A software publisher; `aliases` are the other spellings inventories and purchase orders use for it. */
@Entity({ tableName: 'publisher' })
export class Publisher {
  [OptionalProps]?: 'createdAt' | 'aliases';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Unique({ name: 'publisher_name_unique' })
  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string[]', columnType: 'text[]', defaultRaw: `'{}'` })
  aliases: string[] = [];

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A product of a publisher (Windows, Office, WPS Office...). Non-licensable products need no entitlement. */
@Entity({ tableName: 'product' })
@Unique({ name: 'product_publisher_name_unique', properties: ['publisher', 'name'] })
export class Product {
  [OptionalProps]?: 'createdAt' | 'code' | 'retiredAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Publisher, { ref: true, deleteRule: 'restrict' })
  publisher!: Ref<Publisher>;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Enum({ items: () => SoftwareCategory, nativeEnumName: 'software_category' })
  category!: SoftwareCategory;

  @Property({ type: 'boolean' })
  licensable!: boolean;

  /** Stable external key (the default catalogue's `key`), used for idempotent imports. */
  @Unique({ name: 'product_code_unique' })
  @Property({ type: 'string', length: 64, nullable: true })
  code: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A sellable edition of a product, with its default metric and list price. */
@Entity({ tableName: 'edition' })
@Unique({ name: 'edition_product_name_unique', properties: ['product', 'name'] })
@Check({ name: 'edition_list_price_check', expression: '(list_price is null) = (list_currency is null) and (list_price is null or list_price >= 0)' })
export class Edition {
  [OptionalProps]?: 'createdAt' | 'code' | 'retiredAt' | 'version' | 'sku' | 'listPrice' | 'listCurrency';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index({ name: 'edition_product_idx' })
  @ManyToOne(() => Product, { ref: true, deleteRule: 'restrict' })
  product!: Ref<Product>;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  version: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  sku: string | null = null;

  @Enum({ items: () => LicenseMetric, nativeEnumName: 'license_metric' })
  metric!: LicenseMetric;

  /** Exact decimal; read as a string, never a float. */
  @Property({ type: 'decimal', precision: 19, scale: 4, nullable: true })
  listPrice: string | null = null;

  @Property({ type: 'string', columnType: 'char(3)', nullable: true })
  listCurrency: string | null = null;

  @Unique({ name: 'edition_code_unique' })
  @Property({ type: 'string', length: 64, nullable: true })
  code: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** Downgrade rights: `edition` may stand in for `coveredEdition`. */
@Entity({ tableName: 'edition_downgrade' })
@Check({ name: 'edition_downgrade_not_self_check', expression: 'edition_id <> covered_edition_id' })
@Index({ name: 'edition_downgrade_covered_idx', properties: ['coveredEdition'] })
export class EditionDowngrade {
  @ManyToOne(() => Edition, { primary: true, ref: true, deleteRule: 'cascade' })
  edition!: Ref<Edition>;

  @ManyToOne(() => Edition, { primary: true, ref: true, deleteRule: 'cascade' })
  coveredEdition!: Ref<Edition>;
}

/** Suite contents: an edition of a suite covers every edition of the products it includes. */
@Entity({ tableName: 'edition_suite_product' })
@Index({ name: 'edition_suite_product_product_idx', properties: ['product'] })
export class EditionSuiteProduct {
  @ManyToOne(() => Edition, { primary: true, ref: true, deleteRule: 'cascade' })
  edition!: Ref<Edition>;

  @ManyToOne(() => Product, { primary: true, ref: true, deleteRule: 'cascade' })
  product!: Ref<Product>;
}
