import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Entitlement } from '../entitlement/entitlement.entity';

/**
 * A license key of an entitlement. The key itself is stored only sealed (AES-256-GCM); `masked` is what every
 * reader sees, and `fingerprint` (a keyed hash) lets the unique index refuse a duplicate without decrypting.
 */
@Entity({ tableName: 'license_key' })
@Unique({ name: 'license_key_fingerprint_unique', properties: ['entitlement', 'fingerprint'] })
@Index({ name: 'license_key_entitlement_idx', properties: ['entitlement', 'createdAt'] })
export class LicenseKey {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Entitlement, { ref: true, deleteRule: 'cascade' })
  entitlement!: Ref<Entitlement>;

  @Property({ type: 'blob', columnType: 'bytea', hidden: true, lazy: true })
  sealed!: Buffer;

  @Property({ type: 'blob', columnType: 'bytea', hidden: true })
  fingerprint!: Buffer;

  @Property({ type: 'string', length: 255 })
  masked!: string;

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
