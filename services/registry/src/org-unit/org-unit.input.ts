import { Length, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { OrgUnitKind } from './org-unit.entity';

export const ORG_UNIT_CODE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

@InputType('CreateOrgUnitInput', { description: 'A new org unit under an existing parent (or a root).' })
export class CreateOrgUnitInput {
  @Matches(ORG_UNIT_CODE, { message: 'code must be 1-64 lowercase letters, digits, dots, dashes or underscores' })
  @Field(() => String, { description: 'Unique stable code, lowercase, e.g. `nanxun`.' })
  code!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => OrgUnitKind, { description: 'Administrative level.' })
  kind!: OrgUnitKind;

  @Matches(ORG_UNIT_CODE, { message: 'parentCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Code of the parent unit; omitted for a root.' })
  parentCode?: string | null;
}
