import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Allocation, EntitlementType, LicenseMetric } from '@genuine/kit';
import { Edition } from '../catalogue/catalogue.entity';
import { Machine } from '../machine/machine.entity';
import { OrgUnit } from '../org-unit/org-unit.entity';
import { Purchase } from '../purchase/purchase.entity';

/**
 * The right to use `quantity` seats of an edition, owned by an org unit (a departmental asset). Seats are held
 * by assignments; the seat limit is enforced under a row lock on this row.
 */
@Entity({ tableName: 'entitlement' })
@Index({ name: 'entitlement_unit_idx', properties: ['orgUnit'] })
@Index({ name: 'entitlement_edition_idx', properties: ['edition'] })
@Index({ name: 'entitlement_purchase_idx', properties: ['purchase'] })
@Check({ name: 'entitlement_quantity_check', expression: 'quantity > 0' })
@Check({ name: 'entitlement_validity_check', expression: 'valid_until is null or valid_until >= valid_from' })
@Check({ name: 'entitlement_price_check', expression: '(unit_price is null) = (currency is null) and (unit_price is null or unit_price >= 0)' })
export class Entitlement {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'purchase' | 'lineNo' | 'validUntil' | 'unitPrice' | 'currency' | 'assetTag' | 'oemMachine' | 'retiredAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Edition, { ref: true, deleteRule: 'restrict' })
  edition!: Ref<Edition>;

  @ManyToOne(() => OrgUnit, { ref: true, deleteRule: 'restrict' })
  orgUnit!: Ref<OrgUnit>;

  @ManyToOne(() => Purchase, { ref: true, nullable: true, deleteRule: 'restrict' })
  purchase: Ref<Purchase> | null = null;

  /** Position of the purchase line this entitlement came from (1-based). */
  @Property({ type: 'smallint', nullable: true })
  lineNo: number | null = null;

  @Property({ type: 'integer' })
  quantity!: number;

  @Enum({ items: () => LicenseMetric, nativeEnumName: 'license_metric' })
  metric!: LicenseMetric;

  @Enum({ items: () => EntitlementType, nativeEnumName: 'entitlement_type' })
  type!: EntitlementType;

  @Enum({ items: () => Allocation, nativeEnumName: 'allocation' })
  allocation!: Allocation;

  @Property({ type: 'date' })
  validFrom!: string;

  @Property({ type: 'date', nullable: true })
  validUntil: string | null = null;

  @Property({ type: 'decimal', precision: 19, scale: 4, nullable: true })
  unitPrice: string | null = null;

  @Property({ type: 'string', columnType: 'char(3)', nullable: true })
  currency: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  assetTag: string | null = null;

  /** The machine an OEM entitlement came with. */
  @ManyToOne(() => Machine, { ref: true, nullable: true, deleteRule: 'set null' })
  oemMachine: Ref<Machine> | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
