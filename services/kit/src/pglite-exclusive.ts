import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/*
 * PGlite is one PostgreSQL session; its socket server multiplexes every client connection onto it, message by
 * message, and keeps a connection's messages together only inside an explicit transaction. An extended-protocol
 * exchange (Parse, Bind, Describe, Execute ... Sync) outside a transaction must not interleave with another
 * connection's either: the unnamed statement and portal are per session, so a Bind from one connection would bind
 * another's statement, and an Execute could run another's portal — one client reading another's rows. That
 * happens when a client's messages arrive in more than one socket read, which heavy load makes likely.
 *
 * This keeps the socket server's queue on one connection from the first message of an exchange until its Sync
 * (or a simple Query) has been answered, as a PostgreSQL backend per connection would. It replaces the queue's
 * processing loop of @electric-sql/pglite-socket 0.2.17 (pinned exactly in package.json); the test
 * `services/kit/test/embedded-postgres.int.test.ts` fails if a version changes what it relies on.
 */

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
  onData: (data: Uint8Array) => void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue: () => Promise<void>;
  clearQueueForHandler: (handlerId: number) => void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
/** Parse, Bind, Describe, Execute, Close, Flush, FunctionCall: messages of an exchange still open. */
const EXCHANGE = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48, 0x46]);

export function keepExchangesTogether(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function' || typeof queue.clearQueueForHandler !== 'function') {
    throw new Error('@electric-sql/pglite-socket changed its query queue; see services/kit/src/pglite-exclusive.ts');
  }
  // The connection whose exchange is open, if any.
  let owner: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const holder = db.isInTransaction() && this.lastHandlerId !== null ? this.lastHandlerId : owner;
        const index = holder === null ? 0 : this.queue.findIndex((m) => m.handlerId === holder);
        // The holder has nothing queued yet: wait for its next message (its arrival restarts this loop).
        if (index === -1) break;
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (err) {
          item.reject(err);
          owner = null;
          continue;
        }
        this.lastHandlerId = item.handlerId;
        const type = item.message[0];
        if (type === SYNC || type === QUERY) owner = null;
        else if (EXCHANGE.has(type)) owner = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    // A connection that went away mid-exchange must not hold the session for the others.
    if (owner === handlerId) {
      owner = null;
      void queue.processQueue();
    }
  };
}
