/**
 * Presents a PostgreSQL numeric as a money amount: at least two decimals, trailing zeros beyond them dropped
 * ("1399.0000" → "1399.00", "0.1250" → "0.125"). String work only: amounts never pass through a float.
 */
export function formatAmount(numeric: string): string {
  const [whole, fraction = ''] = numeric.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}.${trimmed.padEnd(2, '0')}`;
}
