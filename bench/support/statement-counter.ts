/**
 * Preload for bench and test child processes (`NODE_OPTIONS="--require <this file>"`, after
 * `@swc-node/register`): counts every SQL statement the process sends through any copy of the `pg` driver
 * (MikroORM, PostGraphile and knex each resolve their own), and serves the count with the process's peak RSS on
 * 127.0.0.1 so a parent can read them from outside. Nothing in the services knows about it; without the preload
 * nothing is counted and no port is opened.
 *
 * Exactness: a statement is one call of `Client.prototype.query` (one protocol round trip, whatever its text).
 * Statements a pool sends when it opens a connection (`select version()`, `set search_path`) are counted apart
 * as `setup`, so a count taken after a warm-up does not depend on whether the pool had to open a connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Module from 'node:module';
import { STATS_BANNER, type StatementStats } from './stats-client';

const SETUP = /^\s*(select\s+version\(\)|set\s+(search_path|session|names|timezone|application_name))/i;
const MAX_TEXTS = 500;

const state = { statements: 0, setup: 0, connects: 0, texts: [] as string[], peakRss: 0 };

/** The resident set size now, kept as the phase's peak if it is one. The kernel's maxRSS cannot be reset. */
function sampleRss(): number {
  const rss = process.memoryUsage.rss();
  if (rss > state.peakRss) state.peakRss = rss;
  return rss;
}
setInterval(sampleRss, 100).unref();
const patched = new WeakSet<object>();

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;
interface PgLike {
  Client?: { prototype: { query?: QueryFn; connect?: QueryFn } };
}

function textOf(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'text' in arg && typeof arg.text === 'string') return arg.text;
  return '(submittable)';
}

function patch(pg: PgLike): void {
  const proto = pg.Client?.prototype;
  if (!proto || patched.has(proto) || typeof proto.query !== 'function' || typeof proto.connect !== 'function') return;
  patched.add(proto);
  const query = proto.query;
  const connect = proto.connect;
  proto.query = function countedQuery(this: unknown, ...args: unknown[]) {
    const text = textOf(args[0]);
    if (SETUP.test(text)) state.setup += 1;
    else {
      state.statements += 1;
      if (state.texts.length < MAX_TEXTS) state.texts.push(text.replace(/\s+/g, ' ').trim().slice(0, 200));
    }
    return query.apply(this, args);
  };
  proto.connect = function countedConnect(this: unknown, ...args: unknown[]) {
    state.connects += 1;
    return connect.apply(this, args);
  };
}

// Every `require` that yields a module shaped like `pg` is patched once, whichever copy it is.
const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
const originalLoad = loader._load;
loader._load = function load(request: string, parent: unknown, isMain: boolean) {
  const exported = originalLoad.call(this, request, parent, isMain);
  if (request === 'pg' && exported && typeof exported === 'object') patch(exported as PgLike);
  return exported;
};

function currentStats(): StatementStats {
  const usage = process.resourceUsage();
  return {
    pid: process.pid,
    statements: state.statements,
    setup: state.setup,
    connects: state.connects,
    texts: [...state.texts],
    maxRssBytes: usage.maxRSS * 1024,
    rssBytes: sampleRss(),
    peakRssSinceResetBytes: state.peakRss,
  };
}

function reset(): void {
  state.statements = 0;
  state.setup = 0;
  state.connects = 0;
  state.texts = [];
  state.peakRss = process.memoryUsage.rss();
}

const server = http.createServer((req, res) => {
  if (req.url === '/stats' && (req.method === 'GET' || req.method === 'POST')) {
    const body = JSON.stringify(currentStats());
    if (req.method === 'POST') reset();
    res.setHeader('content-type', 'application/json');
    res.end(body);
    return;
  }
  if (req.url === '/reset' && req.method === 'POST') {
    reset();
    res.statusCode = 204;
    res.end();
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(Number(process.env.GENUINE_BENCH_STATS_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stderr.write(`${STATS_BANNER} http://127.0.0.1:${port}\n`);
});
// The endpoint must never keep a process alive or delay its shutdown.
server.unref();
