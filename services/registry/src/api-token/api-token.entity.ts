import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { OrgUnit } from '../org-unit/org-unit.entity';

/**
 * An opaque API token: only its SHA-256 digest is stored, with the role and org-unit scope it grants. Revoking
 * keeps the row (the audit trail refers to it).
 */
@Entity({ tableName: 'api_token' })
export class ApiToken {
  [OptionalProps]?: 'createdAt' | 'expiresOn' | 'revokedAt' | 'lastUsedAt' | 'scopeUnit';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Unique({ name: 'api_token_hash_unique' })
  @Property({ type: 'string', length: 64 })
  tokenHash!: string;

  @Property({ type: 'string', length: 32 })
  role!: string;

  @Index({ name: 'api_token_scope_idx' })
  @ManyToOne(() => OrgUnit, { nullable: true, ref: true, deleteRule: 'restrict', fieldName: 'scope_unit_id' })
  scopeUnit: Ref<OrgUnit> | null = null;

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** Last day the token works (inclusive); null for no end. */
  @Property({ type: 'date', nullable: true })
  expiresOn: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;
}
