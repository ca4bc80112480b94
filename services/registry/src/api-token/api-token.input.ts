import { IsOptional, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DateScalar, Role } from '@genuine/kit';
import { ORG_UNIT_CODE } from '../org-unit/org-unit.input';

@InputType('CreateApiTokenInput', { description: 'A token to create.' })
export class CreateApiTokenInput {
  @Length(1, 200)
  @Field(() => String, { description: 'What the token is for, e.g. "Provincial dashboard".' })
  name!: string;

  @Field(() => Role, { description: 'Role the token grants.' })
  role!: Role;

  @IsOptional()
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Org unit whose subtree the token sees; omitted for everything (unscoped administrators only).' })
  orgUnitCode?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last day the token works; omitted for no end.' })
  expiresOn?: string | null;
}

@InputType('RevokeApiTokenInput', { description: 'A token to revoke.' })
export class RevokeApiTokenInput {
  @Field(() => ID, { description: 'The token id.' })
  id!: string;
}
