import { Directive, Field, InputType, ObjectType } from 'type-graphql';
import { Matches, Length } from 'class-validator';

/** An exact amount of money: a decimal string and an ISO 4217 currency. Never a float. */
@Directive('@shareable')
@ObjectType('Money', { description: 'An exact amount of money.' })
export class Money {
  @Field(() => String, { description: 'Decimal amount as a string, e.g. "1399.00".' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 currency code, e.g. "CNY".' })
  currency!: string;
}

export const DECIMAL_PATTERN = /^-?\d{1,15}(\.\d{1,4})?$/;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

@InputType('MoneyInput', { description: 'An exact amount of money.' })
export class MoneyInput {
  @Matches(DECIMAL_PATTERN, { message: 'amount must be a decimal string with at most 4 decimals' })
  @Field(() => String, { description: 'Decimal amount as a string, e.g. "1399.00".' })
  amount!: string;

  @Length(3, 3)
  @Matches(CURRENCY_PATTERN, { message: 'currency must be an ISO 4217 code such as CNY' })
  @Field(() => String, { description: 'ISO 4217 currency code, e.g. "CNY".' })
  currency!: string;
}
