import autocannon from 'autocannon';
import { Pool } from 'pg';
import { freePort } from '@genuine/kit/src/testing';
import type { Dataset } from '../dataset/model';
import { startChild, type BenchChild } from '../support/child';
import { statementCounterNodeOptions, type StatementStats } from '../support/stats-client';
import { failed, median, measured, type Figure } from '../support/report';
import { DASHBOARD_SIZES, DASHBOARD_SQL, countAnswer, genuineDashboardQuery, postgraphileDashboardQuery, type PageSizes } from './dashboard-query';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/**
 * V8 flags the services run with (`npm start`, and NODE_OPTIONS in deployment): a 64 MB young generation, since a
 * dashboard answer's thousands of short-lived objects otherwise cost a third of the CPU in scavenges.
 */
export const SERVICE_NODE_FLAGS = '--max-semi-space-size=64';

/**
 * `split` (default): gateway, registry and audit as three processes, as deployed (infra/: one container each), so
 * the gateway and the registry use both cores. `one`: the `npm start` process holding all three.
 */
export type StackLayout = 'split' | 'one';

/** The layout GraphQL figures are measured in: `split` (as deployed) unless BENCH_STACK_LAYOUT=one. */
export function defaultLayout(): StackLayout {
  return process.env.BENCH_STACK_LAYOUT === 'one' ? 'one' : 'split';
}

export interface DashboardOptions {
  databaseUrl: string;
  dataset: Dataset;
  runs: number;
  durationSeconds: number;
  connections: number;
  layout?: StackLayout;
  log: (line: string) => void;
}

interface Contender {
  name: string;
  url: string;
  body: string;
  headers: Record<string, string>;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
  }
}

/**
 * Statements one request takes, after a warm-up request so the pools hold their connections. A background poll of
 * the audit service (its compliance worker) can land in the window: the least of two counts (three when they
 * differ) is the request's own.
 */
async function statementsPerRequest(child: Pick<BenchChild, 'stats'>, c: Contender): Promise<{ statements: number; texts: string[]; answer: ReturnType<typeof countAnswer> }> {
  await post(c.url, c.body, c.headers);
  let best: { statements: number; texts: string[]; answer: ReturnType<typeof countAnswer> } | null = null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await child.stats({ reset: true });
    const answer = countAnswer(await post(c.url, c.body, c.headers));
    const stats = await child.stats({ reset: true });
    const agrees = best?.statements === stats.statements;
    if (!best || stats.statements < best.statements) best = { statements: stats.statements, texts: stats.texts, answer };
    if (agrees) break;
  }
  return best as NonNullable<typeof best>;
}

async function cannon(c: Contender, connections: number, duration: number) {
  return autocannon({ url: c.url, method: 'POST', headers: { 'content-type': 'application/json', ...c.headers }, body: c.body, connections, duration, timeout: 30 });
}

/** The best single SQL statement, asked by `connections` clients in a loop: what PostgreSQL alone can do. */
async function rawSql(databaseUrl: string, root: string, sizes: PageSizes, connections: number, durationSeconds: number) {
  const pool = new Pool({ connectionString: databaseUrl, max: connections });
  try {
    const latencies: number[] = [];
    const until = performance.now() + durationSeconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        const client = await pool.connect();
        try {
          while (performance.now() < until) {
            const t0 = performance.now();
            await client.query(DASHBOARD_SQL, [root, sizes.units, sizes.machines]);
            latencies.push(performance.now() - t0);
          }
        } finally {
          client.release();
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return { perSecond: latencies.length / durationSeconds, p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN };
  } finally {
    await pool.end();
  }
}

/**
 * Scenarios (b) dashboard throughput, (c) SQL statements per request and (d) peak RSS: our whole stack (the
 * real `npm start` entry point in a child process, production mode, rate limit off) against PostGraphile 4 over
 * the same tables, a constant-answer Apollo server and the best single SQL statement — all in this run, runs
 * interleaved, medians reported.
 */
export async function dashboardScenario(o: DashboardOptions): Promise<Figure[]> {
  const { dataset, log } = o;
  const root = dataset.root.code;
  const children: BenchChild[] = [];
  const figures: Figure[] = [];
  const since = performance.now();
  try {
    const [stack, postgraphile, apollo] = await Promise.all([
      startStack(o.databaseUrl, o.layout ?? defaultLayout()),
      startChild('postgraphile', 'bench/baselines/postgraphile.ts', { DATABASE_URL: o.databaseUrl, DATABASE_POOL_MAX: '10' }, /baseline listening: (\S+)/),
      startChild('apollo-constant', 'bench/baselines/apollo-constant.ts', {}, /baseline listening: (\S+)/),
    ]).then((started) => {
      children.push(...started[0].processes, started[1], started[2]);
      return started;
    });
    log(`  ${children.length} processes started in ${((performance.now() - since) / 1000).toFixed(1)} s`);
    const auth = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
    const ours: Contender = { name: 'Genuine (gateway + registry)', url: stack.url, body: JSON.stringify({ query: genuineDashboardQuery(root) }), headers: auth };
    const peer: Contender = { name: 'PostGraphile 4', url: postgraphile.url, body: JSON.stringify({ query: postgraphileDashboardQuery(root) }), headers: {} };
    const ceiling: Contender = { name: 'Apollo constant', url: apollo.url, body: JSON.stringify({ query: genuineDashboardQuery(root) }), headers: {} };

    // Every contender must answer the question before it is timed: errors are answers too, and fast ones.
    const expectedUnits = dataset.descendantsInOrder().slice(0, DASHBOARD_SIZES.units);
    const expectedMachines = expectedUnits.reduce((n, u) => n + Math.min(DASHBOARD_SIZES.machines, dataset.machineCount(u.index)), 0);
    const answers = new Map<string, ReturnType<typeof countAnswer>>();
    for (const c of [ours, peer, ceiling]) {
      const answer = countAnswer(await post(c.url, c.body, c.headers));
      answers.set(c.name, answer);
      log(`  ${c.name}: ${answer.units} units, ${answer.machines} machines${answer.errors.length ? `, errors: ${answer.errors.join('; ')}` : ''}`);
    }
    const ourAnswer = answers.get(ours.name);
    if (!ourAnswer || ourAnswer.errors.length > 0 || ourAnswer.units !== expectedUnits.length || ourAnswer.machines !== expectedMachines) {
      figures.push(
        failed('dashboard', 'dashboard question through the gateway', 'answers it', `expected ${expectedUnits.length} units and ${expectedMachines} machines, got ${JSON.stringify(ourAnswer)}`),
      );
    }
    const contenders = [ours, peer, ceiling].filter((c) => (answers.get(c.name)?.errors.length ?? 1) === 0);

    // (c) statements per request: exact counts, ours at growing page sizes, PostGraphile at the dashboard's.
    const sizes: PageSizes[] = [
      { units: 5, machines: 5 },
      { units: 20, machines: 20 },
      DASHBOARD_SIZES,
    ];
    const counts: Array<number | null> = [];
    for (const s of sizes) {
      const r = await statementsPerRequest(stack, { ...ours, body: JSON.stringify({ query: genuineDashboardQuery(root, s) }) });
      counts.push(r.answer.errors.length ? null : r.statements);
      if (s === DASHBOARD_SIZES) log(`  our statements for ${s.units}x${s.machines}:\n${r.texts.map((t) => `    ${t}`).join('\n')}`);
    }
    const peerCount = await statementsPerRequest(postgraphile, peer);
    log(`  PostGraphile statements:\n${peerCount.texts.map((t) => `    ${t.slice(0, 120)}`).join('\n')}`);
    sizes.forEach((s, i) =>
      figures.push(
        measured({
          scenario: 'statements',
          figure: `SQL statements per dashboard request, ${s.units} units x ${s.machines} machines`,
          unit: '',
          ours: counts[i],
          baselineName: s === DASHBOARD_SIZES ? 'PostGraphile 4' : null,
          baseline: s === DASHBOARD_SIZES ? peerCount.statements : null,
          target: 'constant as pages grow',
          note: i === sizes.length - 1 ? (counts.includes(null) ? 'the gateway refused some of these requests (see above)' : new Set(counts).size === 1 ? 'constant across page sizes' : `NOT constant: ${counts.join(', ')}`) : undefined,
        }),
      ),
    );

    // (b) throughput with `connections` concurrent clients; one warm-up, then interleaved runs.
    const rates = new Map<string, number[]>();
    const p99s = new Map<string, number[]>();
    const sqlRuns: Array<{ perSecond: number; p99: number }> = [];
    for (const c of contenders) await cannon(c, o.connections, 1);
    for (let run = 0; run < o.runs; run += 1) {
      for (const c of contenders) {
        const result = await cannon(c, o.connections, o.durationSeconds);
        const bad = result.non2xx + result.errors + result.timeouts;
        (rates.get(c.name) ?? rates.set(c.name, []).get(c.name) ?? []).push(result.requests.average);
        (p99s.get(c.name) ?? p99s.set(c.name, []).get(c.name) ?? []).push(result.latency.p99);
        log(`  run ${run + 1}/${o.runs} ${c.name}: ${result.requests.average.toFixed(1)} req/s, p99 ${result.latency.p99} ms${bad ? `, ${bad} failed` : ''}`);
      }
      const sql = await rawSql(o.databaseUrl, root, DASHBOARD_SIZES, o.connections, o.durationSeconds);
      sqlRuns.push(sql);
      log(`  run ${run + 1}/${o.runs} single SQL statement: ${sql.perSecond.toFixed(1)} q/s, p99 ${sql.p99.toFixed(1)} ms`);
    }
    const rate = (c: Contender) => (rates.has(c.name) ? median(rates.get(c.name) ?? []) : null);
    const p99 = (c: Contender) => (p99s.has(c.name) ? median(p99s.get(c.name) ?? []) : null);
    const label = `dashboard ${DASHBOARD_SIZES.units}x${DASHBOARD_SIZES.machines}, ${o.connections} clients`;
    figures.push(
      measured({ scenario: 'dashboard', figure: `${label}: throughput vs PostGraphile 4`, unit: 'req/s', ours: rate(ours), baselineName: 'PostGraphile 4', baseline: rate(peer), target: '> 1x (ahead of PostGraphile 4 and 5)', runs: rates.get(ours.name), baselineRuns: rates.get(peer.name) }),
      measured({ scenario: 'dashboard', figure: `${label}: throughput vs constant answer`, unit: 'req/s', ours: rate(ours), baselineName: 'Apollo, constant', baseline: rate(ceiling), target: 'ceiling (GraphQL alone)', baselineRuns: rates.get(ceiling.name) }),
      measured({ scenario: 'dashboard', figure: `${label}: throughput vs one SQL statement`, unit: 'req/s', ours: rate(ours), baselineName: 'single SQL, JSON built in PostgreSQL', baseline: median(sqlRuns.map((r) => r.perSecond)), target: 'floor of the database', baselineRuns: sqlRuns.map((r) => r.perSecond) }),
      measured({ scenario: 'dashboard', figure: `${label}: p99 latency`, unit: 'ms', ours: p99(ours), baselineName: 'PostGraphile 4', baseline: p99(peer), target: '< 1x', runs: p99s.get(ours.name), baselineRuns: p99s.get(peer.name) }),
    );

    // (d) peak RSS of each process of the scenario, the bench driver (autocannon) included.
    for (const child of [...stack.processes, postgraphile, apollo]) {
      const stats = await child.stats();
      figures.push(
        measured({
          scenario: 'memory',
          figure: `peak RSS, ${PROCESS_LABELS[child.name] ?? child.name}, dashboard scenario`,
          unit: 'MB',
          ours: stats.maxRssBytes / 1048576,
          baselineName: null,
          baseline: null,
          target: 'printed',
        }),
      );
    }
    return figures;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

const PROCESS_LABELS: Record<string, string> = {
  genuine: 'Genuine (gateway + registry + audit, one process)',
  gateway: 'Genuine gateway',
  registry: 'Genuine registry',
  audit: 'Genuine audit',
};

/** Our stack as one contender: its URL, its processes, and their statement counts summed. */
export interface Stack {
  readonly url: string;
  readonly processes: BenchChild[];
  stats(options?: { reset?: boolean }): Promise<StatementStats>;
}

/** Our services in production mode (rate limit off) on ephemeral ports, in the given layout. */
export async function startStack(databaseUrl: string, layout: StackLayout): Promise<Stack> {
  const env = {
    NODE_OPTIONS: `${statementCounterNodeOptions()} ${SERVICE_NODE_FLAGS}`,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '10',
    GENUINE_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    GENUINE_RATE_LIMIT: '0',
  };
  let processes: BenchChild[];
  if (layout === 'one') {
    const env1 = { ...env, LOG_LEVEL: 'warn', GENUINE_DEMO: '0', PORT: '0', REGISTRY_PORT: '0', AUDIT_PORT: '0' };
    processes = [await startChild('genuine', 'scripts/start.ts', env1, /Genuine is running: (\S+)/)];
  } else {
    // Each part prints its URL at info level; nothing is logged per request at that level. The three start at
    // once on ports chosen beforehand (none calls another while starting), as a container orchestrator would.
    const listening = (what: string) => new RegExp(`"url":"([^"]+)"[^\n]*"msg":"${what} listening"`);
    const [registryPort, auditPort] = [await freePort(), await freePort()];
    const urls = { REGISTRY_URL: `http://127.0.0.1:${registryPort}/graphql`, AUDIT_URL: `http://127.0.0.1:${auditPort}/graphql` };
    const parts = { ...env, ...urls, LOG_LEVEL: 'info' };
    const started = await Promise.allSettled([
      startChild('gateway', 'services/gateway/src/main.ts', { ...parts, PORT: '0' }, listening('gateway')),
      startChild('registry', 'services/registry/src/main.ts', { ...parts, REGISTRY_PORT: String(registryPort) }, listening('registry subgraph')),
      startChild('audit', 'services/audit/src/main.ts', { ...parts, AUDIT_PORT: String(auditPort) }, listening('audit subgraph')),
    ]);
    const failure = started.find((r) => r.status === 'rejected');
    processes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failure) {
      await Promise.all(processes.map((p) => p.stop()));
      throw failure.reason;
    }
  }
  return {
    url: processes[0].url,
    processes,
    async stats(options) {
      const all = await Promise.all(processes.map((p) => p.stats(options)));
      return {
        ...all[0],
        statements: all.reduce((n, s) => n + s.statements, 0),
        setup: all.reduce((n, s) => n + s.setup, 0),
        connects: all.reduce((n, s) => n + s.connects, 0),
        texts: all.flatMap((s) => s.texts),
        maxRssBytes: Math.max(...all.map((s) => s.maxRssBytes)),
        peakRssSinceResetBytes: Math.max(...all.map((s) => s.peakRssSinceResetBytes)),
      };
    },
  };
}
