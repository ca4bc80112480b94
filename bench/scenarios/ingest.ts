import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Dataset } from '../dataset/model';
import { ocsInventoryZlib } from '../dataset/inventories';
import type { BenchChild } from '../support/child';
import { failed, median, measured, type Figure } from '../support/report';
import { waitForIdleWorker } from '../support/worker';
import { cpuMsPer, machineBusySeconds } from '../support/cpu';
import { BENCH_ADMIN_TOKEN, startStack, type StackLayout } from './dashboard';

export interface IngestOptions {
  databaseUrl: string;
  /** The loaded dataset: its machines are in the registry; the ingest re-renders them with `installs` titles each. */
  dataset: Dataset;
  quick: boolean;
  runs: number;
  /** Reports in flight at once (agents posting together). */
  concurrency: number;
  /** Titles per inventory (issue 4: ~780). */
  installs: number;
  /** Overrides the mode's counts (first ingests and re-sends per run, reports in the memory run). */
  counts?: Partial<typeof COUNTS.full>;
  /** `one` (default): `npm start`'s one process; `split`: gateway, registry and audit as three processes, as deployed. */
  layout?: StackLayout;
  log: (line: string) => void;
}

/** Sizes per mode: first ingests and re-sends per run, and the long run that watches memory. */
const COUNTS = {
  full: { first: 1_000, resend: 5_000, memory: 10_000 },
  quick: { first: 100, resend: 1000, memory: 200 },
};

const OCS_PATH = '/ocsinventory';
const BASIC = `Basic ${Buffer.from(`bench:${BENCH_ADMIN_TOKEN}`).toString('base64')}`;

interface Posted {
  ms: number;
  failures: string[];
}

/**
 * Posts each body once with at most `concurrency` requests in flight over keep-alive connections, as agents
 * would (zlib OCS XML, `application/x-compress`, HTTP Basic with the token as password). Any non-200 answer is
 * a failure, counted and named.
 */
async function postAll(base: URL, bodies: readonly Buffer[], concurrency: number, onDone?: (done: number) => Promise<void> | void): Promise<Posted> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const failures: string[] = [];
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const post = (body: Buffer) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        { host: base.hostname, port: base.port, path: OCS_PATH, method: 'POST', agent, headers: { 'content-type': 'application/x-compress', 'content-length': body.length, authorization: BASIC, 'user-agent': 'OCS-NG_unified_unix_agent_v2.10.0' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) failures.push(`${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        failures.push(err.message);
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: Math.min(concurrency, bodies.length) }, async () => {
      while (next < bodies.length) {
        const body = bodies[next];
        next += 1;
        await post(body);
        done += 1;
        if (onDone) await onDone(done);
      }
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  return { ms, failures };
}

const COLLECTED = (run: number) => `2026-11-${String(20 + (run % 8)).padStart(2, '0')} 08:00:00`;

/** Deletes every trace of the machines' inventories, so the next post of each is its first. */
async function forget(client: Client, machineIds: readonly string[]): Promise<void> {
  await client.query('begin');
  await client.query(`delete from audit.installation where machine_id = any($1::uuid[])`, [machineIds]);
  await client.query(`delete from audit.machine_inventory where machine_id = any($1::uuid[])`, [machineIds]);
  await client.query(`delete from audit.inventory_report where machine_id = any($1::uuid[])`, [machineIds]);
  await client.query('commit');
}

async function outcomes(client: Client, machineIds: readonly string[]): Promise<Record<string, number>> {
  const { rows } = await client.query<{ outcome: string; n: string }>(
    `select outcome, count(*) as n from audit.inventory_report where machine_id = any($1::uuid[]) group by outcome`,
    [machineIds],
  );
  return Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
}

/**
 * The baseline: the installation rows the first ingest stored for these machines, read out with COPY TO, deleted,
 * and written back with one COPY FROM into the same real table (its indexes and constraints apply) in one
 * transaction — what PostgreSQL alone takes to store the same rows. Returns the milliseconds of the write.
 */
async function copyBaseline(client: Client, machineIds: readonly string[]): Promise<{ ms: number; rows: number }> {
  const columns = 'machine_id, title_id, arch, is_operating_system, first_seen_at, last_seen_at';
  const chunks: Buffer[] = [];
  const source = client.query(copyTo(`copy (select ${columns} from audit.installation where machine_id = any('{${machineIds.join(',')}}'::uuid[])) to stdout`));
  for await (const chunk of source) chunks.push(chunk as Buffer);
  const rows = chunks.reduce((n, c) => n + c.toString('utf8').split('\n').length - 1, 0);
  await client.query(`delete from audit.installation where machine_id = any($1::uuid[])`, [machineIds]);
  const t0 = performance.now();
  await client.query('begin');
  await pipeline(Readable.from(chunks), client.query(copyFrom(`copy audit.installation (${columns}) from stdin`)));
  await client.query('commit');
  return { ms: performance.now() - t0, rows };
}

/** The stack's error log lines (JSON), shortened: why requests failed. */
function stackErrors(output: string): string {
  return output
    .split('\n')
    .filter((line) => line.includes('"level":"error"'))
    .slice(0, 3)
    .map((line) => `    ${line.slice(0, 1500)}`)
    .join('\n');
}

const rate = (count: number, ms: number) => count / (ms / 1000);
const mb = (bytes: number) => bytes / 1048576;

/** The stack under test: its public URL, its processes, and the one whose memory the long run watches. */
interface IngestStack {
  readonly url: string;
  readonly processes: BenchChild[];
  /** The audit service (where inventories are parsed and stored), or the one process of the `one` layout. */
  readonly audit: BenchChild;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The stack as the dashboard scenario starts it (`startStack`): `one` is `scripts/start.ts` as `npm start` runs it;
 * `split` the three services as three processes, as `infra/` runs them (at the default log level, info: one line
 * per inventory), so that the gateway's relay and the audit service's parsing run on different cores as deployed.
 */
async function startIngestStack(databaseUrl: string, layout: StackLayout): Promise<IngestStack> {
  const { processes, url } = await startStack(databaseUrl, layout);
  const audit = processes.find((p) => p.name === 'audit') ?? processes[0];
  return {
    url,
    processes,
    audit,
    output: () => processes.map((p) => p.output()).join('\n'),
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}

/**
 * Issue 4 item 8: inventories as agents send them (zlib OCS XML with ~780 titles each) posted to the gateway's
 * `/ocsinventory`, `concurrency` at a time, against the whole stack in child processes (see startIngestStack).
 * Figures: first ingests (the machines are in the registry, the audit service has never seen them),
 * byte-identical re-sends, re-sends with the same content but a new collection time (what an agent sends a day
 * later when nothing changed), and the audit service's RSS over a long run; each rate beside one COPY of the same
 * installation rows into the same table.
 */
export async function ingestScenario(o: IngestOptions): Promise<Figure[]> {
  const { log } = o;
  const counts = { ...(o.quick ? COUNTS.quick : COUNTS.full), ...o.counts };
  const inventories = new Dataset({ ...o.dataset.size, installsPerMachine: o.installs });
  const machines = Math.min(o.dataset.size.machines, counts.memory);
  const firstCount = Math.min(counts.first, machines);
  const figures: Figure[] = [];
  const client = new Client({ connectionString: o.databaseUrl });
  await client.connect();
  // One process by default, as the ingest was always measured: on a shared two-core machine three processes would
  // also draw three times the scheduler's share. BENCH_STACK_LAYOUT=split runs the deployed layout.
  const layout: StackLayout = o.layout ?? (process.env.BENCH_STACK_LAYOUT === 'split' ? 'split' : 'one');
  let stack: IngestStack | undefined;
  try {
    stack = await startIngestStack(o.databaseUrl, layout);
    const base = new URL(stack.url);
    const firstMachines = Array.from({ length: firstCount }, (_, i) => inventories.machine(i));
    const firstIds = firstMachines.map((m) => m.id);
    const render = (index: number, run: number) => ocsInventoryZlib(inventories, inventories.machine(index), COLLECTED(run));
    log(`  ${o.installs} titles per inventory, ${o.concurrency} reports in flight, stack ${layout === 'one' ? 'in one process' : 'as three processes'}; first ${firstCount} x ${o.runs} runs, re-sends ${counts.resend} x ${o.runs}, memory ${machines}`);

    // Warm-up: a few machines outside the measured ones, so the first run does not pay for JIT and pools.
    const warm = Array.from({ length: Math.min(20, Math.max(0, machines - firstCount)) }, (_, i) => render(firstCount + i, 0));
    await postAll(base, warm, o.concurrency);

    const firstRates: number[] = [];
    const firstCpuMs: number[] = [];
    const copyCpuMs: number[] = [];
    const copyRates: number[] = [];
    const sameRates: number[] = [];
    const newDateRates: number[] = [];
    let copyRows = 0;
    const notes: string[] = [];
    // Each phase starts with the compliance worker idle: it pays for the recompute its own reports cause, not for
    // the previous phase's backlog or for the deletions that reset the machines.
    const idle = () => waitForIdleWorker(o.databaseUrl, 600_000);
    for (let run = 0; run < o.runs; run += 1) {
      await forget(client, firstIds);
      await idle();
      const bodies = firstMachines.map((m) => render(m.index, run));
      const cpuBefore = machineBusySeconds();
      const first = await postAll(base, bodies, o.concurrency);
      const stored = await outcomes(client, firstIds);
      // The CPU these reports cost, whoever spent it: the stack, PostgreSQL, and the compliance worker until it has
      // caught up with them (work it puts off past the posting is counted all the same).
      const catchUp = performance.now();
      await idle();
      const catchUpMs = performance.now() - catchUp;
      const firstCpu = cpuMsPer(cpuBefore, machineBusySeconds(), firstCount);
      if (first.failures.length > 0 || stored.APPLIED !== firstCount) {
        notes.push(`first run ${run + 1}: ${first.failures.length} failed (${first.failures[0] ?? ''}), outcomes ${JSON.stringify(stored)}`);
      } else {
        firstRates.push(rate(firstCount, first.ms));
        if (firstCpu !== null) firstCpuMs.push(firstCpu);
      }

      // Byte-identical re-sends (an agent retrying, or posting its cached inventory again).
      const resend = Array.from({ length: counts.resend }, (_, i) => bodies[i % bodies.length]);
      const same = await postAll(base, resend, o.concurrency);
      if (same.failures.length === 0) sameRates.push(rate(resend.length, same.ms));
      else notes.push(`re-send run ${run + 1}: ${same.failures.length} failed (${same.failures[0]})`);

      // Same content, a later collection time: the next day's inventory of a machine where nothing changed.
      await idle();
      const later = firstMachines.map((m) => render(m.index, run + 1));
      const unchanged = await postAll(base, later, o.concurrency);
      const after = await outcomes(client, firstIds);
      if (unchanged.failures.length === 0 && (after.UNCHANGED ?? 0) >= counts.resend + firstCount) newDateRates.push(rate(later.length, unchanged.ms));
      else notes.push(`same-content run ${run + 1}: ${unchanged.failures.length} failed (${unchanged.failures[0] ?? ''}), outcomes ${JSON.stringify(after)}`);

      const copyCpuBefore = machineBusySeconds();
      const copy = await copyBaseline(client, firstIds);
      const copyCpu = cpuMsPer(copyCpuBefore, machineBusySeconds(), firstCount);
      if (copyCpu !== null) copyCpuMs.push(copyCpu);
      copyRows = copy.rows;
      copyRates.push(rate(firstCount, copy.ms));
      log(
        `  run ${run + 1}/${o.runs}: first ${rate(firstCount, first.ms).toFixed(1)} reports/s (${firstCpu?.toFixed(1) ?? '?'} CPU ms each, worker caught up ${(catchUpMs / 1000).toFixed(1)} s later), identical re-sends ${rate(resend.length, same.ms).toFixed(0)}/s, ` +
          `same content new date ${rate(later.length, unchanged.ms).toFixed(1)}/s; COPY of the ${copy.rows.toLocaleString('en-US')} rows ${(copy.ms / 1000).toFixed(2)} s (${rate(firstCount, copy.ms).toFixed(0)} machines/s, ${copyCpu?.toFixed(1) ?? '?'} CPU ms each)`,
      );
    }
    for (const note of notes) log(`  ${note}`);
    if (notes.length > 0) log(`  the stack's first errors:\n${stackErrors(stack.output())}`);

    // Memory: `machines` first ingests in a row (bodies rendered in slices between posts), the audit service's RSS
    // (the one process's with `one`) sampled along the way.
    const samples: Array<{ at: number; rss: number }> = [];
    await forget(client, Array.from({ length: machines }, (_, i) => inventories.machine(i).id));
    await idle();
    const { audit } = stack;
    await audit.stats({ reset: true });
    const sample = async (at: number) => samples.push({ at, rss: (await audit.stats()).rssBytes });
    await sample(0);
    const slice = Math.max(100, Math.floor(machines / 20));
    let memoryMs = 0;
    let memoryFailures = 0;
    for (let from = 0; from < machines; from += slice) {
      const bodies = Array.from({ length: Math.min(slice, machines - from) }, (_, i) => render(from + i, o.runs + 2));
      const posted = await postAll(base, bodies, o.concurrency);
      memoryMs += posted.ms;
      memoryFailures += posted.failures.length;
      await sample(from + bodies.length);
    }
    // The peak of this run alone, sampled every 100 ms: the process's own maxRSS also covers the phases before it.
    const peak = (await audit.stats()).peakRssSinceResetBytes;
    const rss = samples.map((s) => mb(s.rss));
    log(`  memory: ${machines} first ingests at ${rate(machines, memoryMs).toFixed(1)} reports/s${memoryFailures ? `, ${memoryFailures} failed` : ''}; RSS MB at ${samples.map((s, i) => `${s.at}: ${rss[i].toFixed(0)}`).join(', ')}; peak ${mb(peak).toFixed(0)}`);

    const copyRate = copyRates.length ? median(copyRates) : null;
    const label = `${o.installs} titles, ${o.concurrency} in flight`;
    const copyName = `one COPY of the same ${Math.round(copyRows / Math.max(1, firstCount))} rows per machine`;
    const result = (name: string, values: number[], target: string, note?: string) =>
      values.length === 0
        ? failed('ingest', name, target, notes.join('; ') || 'no run succeeded')
        : measured({ scenario: 'ingest', figure: name, unit: 'reports/s', ours: median(values), baselineName: copyName, baseline: copyRate, target, runs: values, baselineRuns: copyRates, note });
    figures.push(
      result(`ingest, first inventories (${label})`, firstRates, '>= 100 reports/s', `${firstCount} machines per run, all APPLIED; the baseline writes only the installation rows`),
      result(`ingest, identical re-sends (${label})`, sameRates, '>= 1000 reports/s', 'byte-identical bodies, all UNCHANGED'),
      result(`ingest, same content, new collection time (${label})`, newDateRates, 'printed (the 1000/s target is for identical re-sends)', 'what an agent sends the next day when nothing changed: parsed, then UNCHANGED by content checksum'),
      ...(firstCpuMs.length
        ? [
            measured({
              scenario: 'ingest',
              figure: `ingest, CPU per first inventory (${label})`,
              unit: 'ms',
              ours: median(firstCpuMs),
              baselineName: 'the same COPY, per machine',
              baseline: copyCpuMs.length ? median(copyCpuMs) : null,
              target: 'printed (steadier than the rate on a shared machine)',
              runs: firstCpuMs,
              baselineRuns: copyCpuMs,
              note: 'busy CPU of the whole machine (both cores: stack, PostgreSQL, bench driver) from the first post until the compliance worker has caught up, per report',
            }),
          ]
        : []),
      measured({ scenario: 'ingest', figure: `peak RSS of ${layout === 'one' ? 'the stack' : 'the audit service'} over ${machines.toLocaleString('en-US')} first ingests`, unit: 'MB', ours: mb(peak), baselineName: 'RSS after the first slice', baseline: rss[1] ?? null, target: 'flat', runs: rss, note: `RSS first / last / peak: ${rss[0]?.toFixed(0)} / ${rss[rss.length - 1]?.toFixed(0)} / ${mb(peak).toFixed(0)} MB (sampled every ${slice} reports)` }),
      measured({ scenario: 'ingest', figure: `ingest rate over the ${machines.toLocaleString('en-US')}-report memory run`, unit: 'reports/s', ours: rate(machines, memoryMs), baselineName: null, baseline: null, target: 'steady' }),
    );
    return figures;
  } finally {
    await stack?.stop();
    await client.end();
  }
}
