import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '@genuine/kit';
import { OrgUnitKind } from './org-unit.entity';
import type { OrgUnitRecord } from './org-unit.repository';

registerEnumType(OrgUnitKind, {
  name: 'OrgUnitKind',
  description: 'The administrative level of an org unit.',
  valuesConfig: {
    PROVINCE: { description: 'A province.' },
    CITY: { description: 'A city.' },
    DISTRICT: { description: 'A city district.' },
    COUNTY: { description: 'A county.' },
    DEPARTMENT: { description: 'A department or agency.' },
    TOWNSHIP: { description: 'A township or town government.' },
    DEVELOPMENT_ZONE: { description: 'A development zone administration.' },
    OTHER: { description: 'Any other unit.' },
  },
});

/** A unit of the organisation tree as the API shows it. */
@Directive('@key(fields: "id")')
@ObjectType('OrgUnit', { description: 'A unit of the organisation: a province, county, department, township office...', simpleResolvers: true })
export class OrgUnitType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Unique, stable code used in URLs and as the agents\' TAG.' })
  code!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => OrgUnitKind, { description: 'Administrative level.' })
  kind!: OrgUnitKind;

  /** Not a GraphQL field: carried for the parent resolver. */
  parentId!: string | null;
}

export function toOrgUnitType(record: OrgUnitRecord): OrgUnitType {
  const t = new OrgUnitType();
  t.id = record.id;
  t.code = record.code;
  t.name = record.name;
  t.kind = record.kind;
  t.parentId = record.parentId;
  return t;
}

export const OrgUnitConnection = ConnectionType(OrgUnitType, 'OrgUnitConnection', 'org unit');
