import { ArrayMaxSize, ArrayMinSize, IsUUID, Length } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType('AddLicenseKeysInput', { description: 'Keys to add to an entitlement.' })
export class AddLicenseKeysInput {
  @IsUUID()
  @Field(() => ID, { description: 'The entitlement.' })
  entitlementId!: string;

  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @Length(1, 200, { each: true })
  @Field(() => [String], { description: 'The keys, 1 to 500; never logged.' })
  keys!: string[];
}
