import { createHash } from 'node:crypto';
import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';

/*
 * Background work (change-log consumption, scheduled recomputes, expiry sweeps) runs in every replica of a
 * service, so each run takes a PostgreSQL advisory lock first: the replica that gets it does one batch, the others
 * skip. The lock is transaction-level (`pg_try_advisory_xact_lock`), taken as the first statement of the batch's
 * own transaction:
 * - it is released exactly when that transaction commits or rolls back, or when the connection dies, so a crashed
 *   or killed replica never leaves the job locked, and nothing has to unlock on a pooled connection that another
 *   request may reuse (session locks stay with the connection, not with the code that took them);
 * - the batch's writes (its effects and its watermark) commit before the lock is released, so the next holder
 *   sees them: under READ COMMITTED every statement after the lock takes a fresh snapshot. The transaction is
 *   forced to READ COMMITTED because a REPEATABLE READ snapshot is taken by the lock statement itself, before the
 *   lock is granted, and could miss the previous holder's commit;
 * - it works where session locks do not: behind a transaction-mode connection pooler, and on the embedded PGlite,
 *   whose socket server multiplexes every connection onto one backend session (a session lock there is re-entrant
 *   for every "connection", so it would exclude nothing).
 * The cost is that one batch must fit in one transaction: jobs work in bounded batches and loop.
 */

/** A 64-bit advisory lock key derived from a job name, stable across processes and releases. */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(`genuine:${name}`).digest().readBigInt64BE(0).toString();
}

export type LockedRun<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `work` in a READ COMMITTED transaction that holds the advisory lock `name`, or does nothing when another
 * transaction holds it (it never waits). `work` gets the transaction's entity manager: everything it writes
 * commits, or rolls back, together with the lock's release.
 */
export async function withAdvisoryXactLock<T>(em: EntityManager, name: string, work: (tx: EntityManager) => Promise<T>): Promise<LockedRun<T>> {
  const key = advisoryLockKey(name);
  return em.fork().transactional(
    async (tx): Promise<LockedRun<T>> => {
      const [row] = await tx.execute<Array<{ locked: boolean }>>('select pg_try_advisory_xact_lock(?::bigint) as locked', [key]);
      if (!row?.locked) return { acquired: false };
      return { acquired: true, value: await work(tx) };
    },
    { isolationLevel: IsolationLevel.READ_COMMITTED },
  );
}

export interface LockedWorkerOptions {
  orm: MikroORM;
  /** The job's name; replicas running the same name exclude each other. */
  name: string;
  log: Logger;
  /** One bounded batch inside the locked transaction; returns how many items it handled (0 when idle). */
  batch: (tx: EntityManager) => Promise<number>;
  /** Wait after an idle run, a run without the lock, or a failure. */
  pollMs: number;
  /** Wait after a run that found work; 0 drains a backlog as fast as possible. */
  busyPauseMs?: number;
  /**
   * After a run that found work, the next run starts no sooner than this, even when woken: changes arriving
   * meanwhile are taken together in one batch, so a burst costs a few batches rather than one per change.
   * Stopping still ends the wait at once.
   */
  coalesceMs?: number;
}

export interface LockedWorker {
  /** Nudges the worker to run now (e.g. on a `NOTIFY`) instead of at the end of its poll wait. */
  wake(): void;
  /** Stops after the batch in progress, if any, has committed or rolled back. */
  stop(): Promise<void>;
}

/**
 * A polling loop over `withAdvisoryXactLock`: safe to start in every replica, since at most one of them runs a
 * batch of `name` at any moment.
 */
export function startLockedWorker(options: LockedWorkerOptions): LockedWorker {
  const { orm, name, log, batch, pollMs, busyPauseMs = 0, coalesceMs = 0 } = options;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;
  // A wake-up that arrives while a batch runs is kept, so the next wait ends at once.
  let woken = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        woken = false;
        wakeUp = undefined;
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (woken || ms <= 0) return done();
      wakeUp = done;
      timer = setTimeout(done, ms);
    });
  // A pause that wake-ups do not end (they stay recorded for the sleep after it); only stopping does.
  let endPause: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || stopping) return resolve();
      const finish = () => {
        clearTimeout(pauseTimer);
        endPause = undefined;
        resolve();
      };
      const pauseTimer = setTimeout(finish, ms);
      endPause = finish;
    });

  const loop = async () => {
    while (!stopping) {
      let wait = pollMs;
      try {
        const run = await withAdvisoryXactLock(orm.em, name, batch);
        if (run.acquired && run.value > 0) {
          log.debug({ job: name, items: run.value }, 'background batch done');
          wait = busyPauseMs;
          await pause(coalesceMs);
        }
      } catch (err) {
        log.error({ err, job: name }, 'background batch failed; retrying');
      }
      if (!stopping) await sleep(wait);
    }
  };
  const running = loop();
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  return {
    wake,
    stop: async () => {
      stopping = true;
      endPause?.();
      wake();
      await running;
    },
  };
}
