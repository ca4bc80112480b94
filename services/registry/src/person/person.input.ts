import { IsEmail, IsOptional, Length, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ORG_UNIT_CODE } from '../org-unit/org-unit.input';

@InputType('CreatePersonInput', { description: 'A person of a unit.' })
export class CreatePersonInput {
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { description: 'Code of their unit.' })
  orgUnitCode!: string;

  @Length(1, 200)
  @Field(() => String, { description: 'Name, unique within the unit.' })
  name!: string;

  @IsOptional()
  @Length(1, 64)
  @Field(() => String, { nullable: true, description: 'Employee number, unique.' })
  employeeNumber?: string | null;

  @IsOptional()
  @IsEmail()
  @Field(() => String, { nullable: true, description: 'E-mail address.' })
  email?: string | null;
}

@InputType('PersonFilter', { description: 'Which people to list.' })
export class PersonFilter {
  @IsOptional()
  @Matches(ORG_UNIT_CODE, { message: 'orgUnitCode is not a valid org unit code' })
  @Field(() => String, { nullable: true, description: 'Of this unit (and its descendants by default).' })
  orgUnitCode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include descendant units; true by default.' })
  includeDescendants?: boolean | null;

  @IsOptional()
  @Length(1, 100)
  @Field(() => String, { nullable: true, description: 'Substring of the name, employee number or e-mail.' })
  search?: string | null;
}
