import { Client } from 'pg';

/** True when a PostgreSQL server answers at `url` within `timeoutMs`. */
export async function isDatabaseReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `fn` with a short-lived client; for start-up and test plumbing, not for request paths. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A PostgreSQL array literal for one bound parameter (`= any(?::uuid[])`). The query builder would otherwise
 * expand a JavaScript array into a list of parameters.
 */
export function sqlArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
