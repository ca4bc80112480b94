/**
 * `npm run bench`: every scenario beside its baselines, from medians of several runs, as a table and as JSON
 * under bench/results/. `--quick` is the CI size (under two minutes on a 2-core machine). It prints figures and
 * never fails on them; it fails only when it cannot run (no database, a process that does not start).
 *
 *   npm run bench [-- --quick] [--runs N] [--load-runs N] [--duration S] [--connections N] [--only a,b]
 *                 [--machines N --units N --titles N --editions N --installs N --entitlements N --seat-fraction F --seed N]
 *                 [--concurrency N] [--ingest-installs N] [--ingest-counts first,resend,memory] [--keep-db] [--embedded]
 *   npm run bench -- dataset [size flags] [--database-url URL] [--emit-inventories DIR --count N]
 */
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Dataset } from './dataset/model';
import { analyzeLoaded, loadDataset, planLoad } from './dataset/load';
import { writeInventories } from './dataset/inventories';
import { DEFAULT_SIZE, QUICK_SIZE, SIZE_FLAGS, sizeFromArgs, type DatasetSize } from './dataset/size';
import { complianceScenario } from './scenarios/compliance';
import { dashboardScenario } from './scenarios/dashboard';
import { ingestScenario } from './scenarios/ingest';
import { loadScenario } from './scenarios/load';
import { normalizationScenario } from './scenarios/normalization';
import { pendingScenarios } from './scenarios/pending';
import { prepareBenchDatabase } from './support/database';
import { failed, formatTable, measured, writeResults, type Figure } from './support/report';

const SCENARIOS = ['load', 'compliance', 'dashboard', 'normalization', 'ingest', 'pending'] as const;
type Scenario = (typeof SCENARIOS)[number];

const BOOLEAN_FLAGS = new Set(['--quick', '--keep-db', '--embedded']);
const VALUE_FLAGS = new Set([...SIZE_FLAGS, '--runs', '--load-runs', '--duration', '--connections', '--only', '--database-url', '--emit-inventories', '--count', '--concurrency', '--ingest-installs', '--ingest-counts']);

function parseArgs(argv: string[]): { command: string; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  let command = 'run';
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (!flag.startsWith('--') && i === 0) command = flag;
    else if (BOOLEAN_FLAGS.has(flag)) flags.set(flag, 'true');
    else if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      flags.set(flag, value);
    } else throw new Error(`unknown argument ${argv[i]} (see the top of bench/run.ts or bench/README.md)`);
  }
  return { command, flags };
}

/** `--ingest-counts first,resend,memory`: reports per ingest phase, instead of the mode's. */
function ingestCounts(raw: string | undefined): { first: number; resend: number; memory: number } | undefined {
  if (raw === undefined) return undefined;
  const [first, resend, memory] = raw.split(',').map(Number);
  if (![first, resend, memory].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--ingest-counts ${raw}: expected three positive integers, first,resend,memory`);
  return { first, resend, memory };
}

function positive(flags: Map<string, string>, flag: string, fallback: number): number {
  const raw = flags.get(flag);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${flag} ${raw}: expected a positive number`);
  return value;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** `npm run bench -- dataset`: loads a dataset (and/or writes inventories) for other work to use. */
async function datasetCommand(flags: Map<string, string>, size: DatasetSize) {
  const dataset = new Dataset(size);
  const out = flags.get('--emit-inventories');
  if (out) {
    const written = writeInventories(dataset, path.resolve(out), positive(flags, '--count', 100));
    log(`wrote ${written.files} OCS inventories (${(written.bytes / 1048576).toFixed(1)} MB, zlib) to ${out}`);
    if (!flags.has('--database-url')) return;
  }
  const target = flags.get('--database-url');
  const db = target ? null : await prepareBenchDatabase({ keep: true, forceEmbedded: flags.has('--embedded') });
  const url = target ?? db?.url ?? '';
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const plans = await planLoad(client, dataset);
    for (const p of plans) if (p.skipped) log(p.skipped);
    const result = await loadDataset(client, plans, 'real');
    await analyzeLoaded(client, plans);
    for (const t of result.tables) if (!t.skipped) log(`${t.table}: ${t.rows.toLocaleString('en-US')} rows in ${(t.ms / 1000).toFixed(1)} s`);
    log(`loaded ${result.rows.toLocaleString('en-US')} rows in ${(result.ms / 1000).toFixed(1)} s into ${target ? 'DATABASE_URL' : url}`);
  } finally {
    await client.end();
    if (db && db.mode === 'embedded') await db.dispose();
  }
}

async function main() {
  const { command, flags } = parseArgs(process.argv.slice(2));
  const quick = flags.has('--quick');
  const size = sizeFromArgs(flags, quick ? QUICK_SIZE : DEFAULT_SIZE);
  if (command === 'dataset') return datasetCommand(flags, size);
  if (command !== 'run') throw new Error(`unknown command ${command}: use no command, or \`dataset\``);

  const only = new Set((flags.get('--only') ?? SCENARIOS.join(',')).split(',') as Scenario[]);
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`--only ${s}: scenarios are ${SCENARIOS.join(', ')}`);
  const runs = positive(flags, '--runs', 3);
  const loadRuns = positive(flags, '--load-runs', quick ? 3 : 1);
  const durationSeconds = positive(flags, '--duration', quick ? 3 : 10);
  const connections = positive(flags, '--connections', 10);
  const started = performance.now();

  log(`Genuine bench${quick ? ' (quick)' : ''}: ${size.machines.toLocaleString('en-US')} machines in ${size.units} units, ${size.titles} titles -> ${size.editions} editions, ${size.installsPerMachine} installations per machine, ${size.entitlements} entitlements, seats on ${Math.round(size.seatFraction * 100)} % (seed ${size.seed})`);
  const db = await prepareBenchDatabase({ keep: flags.has('--keep-db'), forceEmbedded: flags.has('--embedded') });
  log(`database: ${db.mode === 'server' ? 'PostgreSQL server' : 'embedded PGlite (figures not comparable with a server)'}, ${db.version.split(' on ')[0]}`);
  const figures: Figure[] = [];
  const dataset = new Dataset(size);
  try {
    if (only.has('load') || only.has('compliance') || only.has('dashboard') || only.has('ingest')) {
      log(`\n[load] ${loadRuns} run(s), real tables vs plain COPY`);
      const t0 = performance.now();
      const load = await loadScenario(db.url, dataset, loadRuns, log);
      figures.push(...(only.has('load') ? load.figures : []));
      figures.push(measured({ scenario: 'memory', figure: 'peak RSS, bench driver (generator + COPY client), load', unit: 'MB', ours: process.resourceUsage().maxRSS / 1024, baselineName: null, baseline: null, target: 'printed' }));
      log(`  done in ${elapsed(t0)}`);
    }
    // Before the dashboard: the full recompute here also clears the engine's backlog from the load, so the
    // dashboard's stack does not recompute 100,000 machines while it is being timed.
    if (only.has('compliance')) {
      log(`\n[compliance] ${Math.min(runs, quick ? 3 : 2)} full recompute(s) vs the best single SQL, incremental updates, OrgUnit.compliance under load`);
      const t0 = performance.now();
      figures.push(
        ...(await complianceScenario({
          databaseUrl: db.url,
          rootCode: dataset.root.code,
          runs: Math.min(runs, quick ? 3 : 2),
          incrementalSamples: quick ? 20 : 50,
          durationSeconds,
          connections,
          log,
        })),
      );
      log(`  done in ${elapsed(t0)}`);
    }
    if (only.has('dashboard')) {
      // Quick: 2 s per timed run (after a 1 s warm-up each), so the whole quick bench stays under two minutes; the
      // median of 3 runs per contender, interleaved, as always.
      const dashboardSeconds = flags.has('--duration') || !quick ? durationSeconds : 2;
      log(`\n[dashboard] ${runs} run(s) x ${dashboardSeconds} s per contender, ${connections} clients`);
      const t0 = performance.now();
      try {
        figures.push(...(await dashboardScenario({ databaseUrl: db.url, dataset, runs, durationSeconds: dashboardSeconds, connections, log })));
      } catch (err) {
        log(`  failed: ${err instanceof Error ? err.message : String(err)}`);
        figures.push(failed('dashboard', 'dashboard scenario', 'runs', err instanceof Error ? err.message.split('\n')[0] : String(err)));
      }
      log(`  done in ${elapsed(t0)}`);
    }
    if (only.has('normalization')) figures.push(...normalizationScenario());
    if (only.has('ingest')) {
      const concurrency = positive(flags, '--concurrency', 8);
      const installs = positive(flags, '--ingest-installs', 780);
      log(`\n[ingest] ${runs} run(s), OCS inventories of ${installs} titles through the gateway, ${concurrency} in flight`);
      const t0 = performance.now();
      try {
        figures.push(...(await ingestScenario({ databaseUrl: db.url, dataset, quick, runs, concurrency, installs, counts: ingestCounts(flags.get('--ingest-counts')), log })));
      } catch (err) {
        log(`  failed: ${err instanceof Error ? err.message : String(err)}`);
        figures.push(failed('ingest', 'ingest scenario', 'runs', err instanceof Error ? err.message.split('\n')[0] : String(err)));
      }
      log(`  done in ${elapsed(t0)}`);
    }
    if (only.has('pending')) figures.push(...pendingScenarios());
  } finally {
    await db.dispose();
  }

  log(`\n${formatTable(figures)}\n`);
  const file = writeResults(
    {
      quick,
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
      seconds: (performance.now() - started) / 1000,
      size,
      runs,
      loadRuns,
      durationSeconds,
      connections,
      database: { mode: db.mode, version: db.version },
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    },
    figures,
  );
  log(`written to ${path.relative(process.cwd(), file)}; total ${elapsed(started)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
