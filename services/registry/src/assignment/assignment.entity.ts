import { randomUUID } from 'node:crypto';
import { Check, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Entitlement } from '../entitlement/entitlement.entity';
import { Machine } from '../machine/machine.entity';
import { Person } from '../person/person.entity';

/**
 * A seat of an entitlement held by a machine or a person. Revoking sets `revokedAt` and keeps the row, so the
 * history of who held a seat stays; at most one active seat of an entitlement per holder.
 */
@Entity({ tableName: 'assignment' })
@Check({ name: 'assignment_holder_check', expression: 'num_nonnulls(machine_id, person_id) = 1' })
@Index({ name: 'assignment_active_machine_unique', expression: 'create unique index "assignment_active_machine_unique" on "registry"."assignment" ("entitlement_id", "machine_id") where "revoked_at" is null and "machine_id" is not null' })
@Index({ name: 'assignment_active_person_unique', expression: 'create unique index "assignment_active_person_unique" on "registry"."assignment" ("entitlement_id", "person_id") where "revoked_at" is null and "person_id" is not null' })
@Index({ name: 'assignment_entitlement_idx', properties: ['entitlement', 'assignedAt'] })
@Index({ name: 'assignment_machine_idx', properties: ['machine'] })
@Index({ name: 'assignment_person_idx', properties: ['person'] })
export class Assignment {
  [OptionalProps]?: 'assignedAt' | 'machine' | 'person' | 'revokedAt' | 'revokedBy';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Entitlement, { ref: true, deleteRule: 'restrict' })
  entitlement!: Ref<Entitlement>;

  @ManyToOne(() => Machine, { ref: true, nullable: true, deleteRule: 'restrict' })
  machine: Ref<Machine> | null = null;

  @ManyToOne(() => Person, { ref: true, nullable: true, deleteRule: 'restrict' })
  person: Ref<Person> | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  assignedAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  assignedBy!: string;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  revokedBy: string | null = null;
}
