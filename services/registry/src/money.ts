import { formatAmount, Money } from '@genuine/kit';

/** A stored numeric and its currency as the API's Money; null when either is missing. */
export function toMoney(amount: string | null, currency: string | null): Money | null {
  if (amount === null || currency === null) return null;
  return Object.assign(new Money(), { amount: formatAmount(amount), currency });
}
