import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';

export enum OrgUnitKind {
  PROVINCE = 'PROVINCE',
  CITY = 'CITY',
  DISTRICT = 'DISTRICT',
  COUNTY = 'COUNTY',
  DEPARTMENT = 'DEPARTMENT',
  TOWNSHIP = 'TOWNSHIP',
  DEVELOPMENT_ZONE = 'DEVELOPMENT_ZONE',
  OTHER = 'OTHER',
}

/** A node of the organisation tree: a province, a county, a department, a township office... */
@Entity({ tableName: 'org_unit' })
export class OrgUnit {
  [OptionalProps]?: 'createdAt' | 'parent';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stable, unique, used in URLs and as the agents' TAG. */
  @Unique({ name: 'org_unit_code_unique' })
  @Property({ type: 'string', length: 64 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Enum({ items: () => OrgUnitKind, nativeEnumName: 'org_unit_kind' })
  kind!: OrgUnitKind;

  @Index({ name: 'org_unit_parent_idx' })
  @ManyToOne(() => OrgUnit, { nullable: true, ref: true, deleteRule: 'restrict' })
  parent: Ref<OrgUnit> | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * The tree's transitive closure, one row per (ancestor, descendant) including each unit with itself at depth 0.
 * Subtree reads and scope checks become one indexed join instead of a recursive walk.
 */
@Entity({ tableName: 'org_unit_closure' })
@Index({ name: 'org_unit_closure_descendant_idx', properties: ['descendant', 'depth'] })
export class OrgUnitClosure {
  @ManyToOne(() => OrgUnit, { primary: true, ref: true, deleteRule: 'cascade', fieldName: 'ancestor_id' })
  ancestor!: Ref<OrgUnit>;

  @ManyToOne(() => OrgUnit, { primary: true, ref: true, deleteRule: 'cascade', fieldName: 'descendant_id' })
  descendant!: Ref<OrgUnit>;

  @Property({ type: 'smallint' })
  depth!: number;
}
