import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { OrgUnit } from '../org-unit/org-unit.entity';

/**
 * A person of an org unit: the operator of machines and the holder of per-user seats. Within a unit a person is
 * identified by name (the self-check spreadsheets know nothing else), so registering an operator is idempotent.
 */
@Entity({ tableName: 'person' })
@Unique({ name: 'person_unit_name_unique', properties: ['orgUnit', 'name'] })
export class Person {
  [OptionalProps]?: 'createdAt' | 'employeeNumber' | 'email';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => OrgUnit, { ref: true, deleteRule: 'restrict' })
  orgUnit!: Ref<OrgUnit>;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Unique({ name: 'person_employee_number_unique' })
  @Property({ type: 'string', length: 64, nullable: true })
  employeeNumber: string | null = null;

  @Property({ type: 'string', length: 254, nullable: true })
  email: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
