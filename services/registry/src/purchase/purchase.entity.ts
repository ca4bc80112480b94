import { randomUUID } from 'node:crypto';
import { Check, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { OrgUnit } from '../org-unit/org-unit.entity';

/** Who sold it. Purchases name suppliers by name; the first purchase from a new name creates it. */
@Entity({ tableName: 'supplier' })
export class Supplier {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Unique({ name: 'supplier_name_unique' })
  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A purchase order of a buying unit; each of its lines became one entitlement. */
@Entity({ tableName: 'purchase' })
@Unique({ name: 'purchase_supplier_order_unique', properties: ['supplier', 'orderNumber'] })
@Index({ name: 'purchase_unit_date_idx', properties: ['orgUnit', 'purchasedOn'] })
@Check({ name: 'purchase_currency_check', expression: `currency ~ '^[A-Z]{3}$'` })
export class Purchase {
  [OptionalProps]?: 'createdAt' | 'invoiceNumber' | 'procurementMethod';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => OrgUnit, { ref: true, deleteRule: 'restrict' })
  orgUnit!: Ref<OrgUnit>;

  @ManyToOne(() => Supplier, { ref: true, deleteRule: 'restrict' })
  supplier!: Ref<Supplier>;

  @Property({ type: 'string', length: 100 })
  orderNumber!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  invoiceNumber: string | null = null;

  @Property({ type: 'date' })
  purchasedOn!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  procurementMethod: string | null = null;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
