import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { MachineKind } from '@genuine/kit';
import { OrgUnit } from '../org-unit/org-unit.entity';
import { Person } from '../person/person.entity';

export enum MachineStatus {
  ACTIVE = 'ACTIVE',
  RETIRED = 'RETIRED',
}

/**
 * A computer as a hardware asset of an org unit. Agents' reports are matched to it by uuid, then serial, then
 * hostname within the unit; the partial unique indexes make that identity hold under concurrent registration.
 */
@Entity({ tableName: 'machine' })
@Index({ name: 'machine_uuid_unique', expression: 'create unique index "machine_uuid_unique" on "registry"."machine" ("uuid") where "uuid" is not null' })
@Index({ name: 'machine_serial_unique', expression: 'create unique index "machine_serial_unique" on "registry"."machine" ("serial_number") where "serial_number" is not null' })
@Index({ name: 'machine_unit_hostname_unique', expression: 'create unique index "machine_unit_hostname_unique" on "registry"."machine" ("org_unit_id", "hostname") where "hostname" is not null' })
// The default machine order (hostname, nulls as '', then id) within a unit, so a unit's first page and every keyset
// page after it is an index range scan rather than a sort of the unit's machines.
@Index({
  name: 'machine_unit_order_coalesce_idx',
  expression: `create index "machine_unit_order_coalesce_idx" on "registry"."machine" ("org_unit_id", (coalesce("hostname", '')), "id")`,
})
export class Machine {
  [OptionalProps]?: 'status' | 'createdAt' | 'updatedAt' | 'assetTag' | 'hostname' | 'serialNumber' | 'uuid' | 'operator' | 'operatorPerson' | 'retiredAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => OrgUnit, { ref: true, deleteRule: 'restrict' })
  orgUnit!: Ref<OrgUnit>;

  @Property({ type: 'string', length: 100, nullable: true })
  assetTag: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  hostname: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  serialNumber: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  uuid: string | null = null;

  @Enum({ items: () => MachineKind, nativeEnumName: 'machine_kind' })
  kind!: MachineKind;

  /** The operator's name as registered; `operatorPerson` is the person of the machine's unit it names. */
  @Property({ type: 'string', length: 200, nullable: true })
  operator: string | null = null;

  @Index({ name: 'machine_operator_person_idx' })
  @ManyToOne(() => Person, { ref: true, nullable: true, deleteRule: 'set null' })
  operatorPerson: Ref<Person> | null = null;

  @Enum({ items: () => MachineStatus, nativeEnumName: 'machine_status', default: MachineStatus.ACTIVE })
  status: MachineStatus = MachineStatus.ACTIVE;

  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
