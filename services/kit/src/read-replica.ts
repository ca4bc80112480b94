import type { ConnectionType } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/*
 * Reads that tolerate staleness (dashboards: compliance rates, positions, trends) go to a read replica when
 * DATABASE_READ_URL is configured (`serviceOrmConfig` turns it into MikroORM's `replicas`), and to the primary
 * otherwise. Everything else — mutations, the reads a mutation's rules depend on, read-your-own-write paths —
 * stays on the primary. Inside a transaction a "stale" read still goes to the transaction's connection: it must
 * see the transaction's own writes, and a replica cannot.
 */

/** The connection for a read that may lag the primary by the replication delay. */
export function staleReadConnectionType(em: EntityManager): ConnectionType {
  return em.isInTransaction() ? 'write' : 'read';
}

/** The read connection (a replica when configured, else the primary); see `staleReadConnectionType`. */
export function staleReadConnection(em: EntityManager): ReturnType<EntityManager['getConnection']> {
  return em.getConnection(staleReadConnectionType(em));
}

/**
 * `em.execute` for a read that tolerates staleness: the same SQL and `?` parameters, run on a replica when one
 * is configured. Repositories use it for dashboard-only queries.
 */
export async function executeStaleRead<T extends object = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  const type = staleReadConnectionType(em);
  const ctx = type === 'write' ? em.getTransactionContext() : undefined;
  return em.getConnection(type).execute<T[]>(sql, [...params], 'all', ctx);
}

/** Find options sending an `em.find` / `em.count` to the read connection: `em.find(E, where, staleRead(em))`. */
export function staleRead(em: EntityManager): { connectionType: ConnectionType } {
  return { connectionType: staleReadConnectionType(em) };
}
