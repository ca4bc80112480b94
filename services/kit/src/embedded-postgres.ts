import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Logger } from 'pino';
import { keepExchangesTogether } from './pglite-exclusive';

export interface EmbeddedPostgres {
  /** A `postgres://` URL any PostgreSQL client can use. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL without a server: PGlite (PostgreSQL compiled to WebAssembly) behind a socket that speaks the wire
 * protocol, so the services connect exactly as they would to a real server. `dataDir` undefined keeps it in
 * memory (tests); otherwise the cluster lives there and a second start reuses it.
 */
export async function startEmbeddedPostgres(options: {
  dataDir?: string;
  port?: number;
  maxConnections: number;
  log?: Logger;
}): Promise<EmbeddedPostgres> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = path.resolve(options.dataDir, 'pgdata');
    mkdirSync(path.dirname(dataDir), { recursive: true });
  }
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections,
  });
  keepExchangesTogether(server, db);
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  const url = `postgres://postgres@${host}:${port}/postgres`;
  options.log?.info({ dataDir: dataDir ?? 'memory', port: Number(port) }, 'embedded PostgreSQL (PGlite) started');
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
