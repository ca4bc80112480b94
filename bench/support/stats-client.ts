import path from 'node:path';

/** What a process started with the statement-counter preload prints (on stderr) before its stats URL. */
export const STATS_BANNER = 'genuine-bench-stats:';

/** Absolute path of the preload; give it to a child as `NODE_OPTIONS`, see statementCounterNodeOptions. */
export const STATEMENT_COUNTER = path.resolve(__dirname, 'statement-counter.ts');

export interface StatementStats {
  pid: number;
  /** Statements since the last reset, excluding connection setup. */
  statements: number;
  /** Connection-setup statements since the last reset (`select version()`, `set search_path`, …). */
  setup: number;
  /** Connections opened since the last reset. */
  connects: number;
  /** Texts of the statements since the last reset (first 200 characters each, at most 500 kept). */
  texts: string[];
  /** Peak resident set size of the process since it started, in bytes. */
  maxRssBytes: number;
  /** Highest resident set size sampled (every 100 ms) since the last reset, in bytes: the peak of one phase. */
  peakRssSinceResetBytes: number;
  rssBytes: number;
}

/**
 * `NODE_OPTIONS` that load the counter into a child running TypeScript through `@swc-node/register`. The
 * register hook comes first so the preload (TypeScript) compiles; a second `-r @swc-node/register` on the
 * command line is then a cached no-op.
 */
export function statementCounterNodeOptions(): string {
  return `--require @swc-node/register --require ${STATEMENT_COUNTER}`;
}

/** The stats URL a child printed, or null while it has not printed it yet. */
export function statsUrlFrom(output: string): string | null {
  const match = new RegExp(`${STATS_BANNER} (\\S+)`).exec(output);
  return match ? match[1] : null;
}

/** Reads a child's counters; `reset` zeroes them in the same call (the answer holds the values before). */
export async function readStats(statsUrl: string, options: { reset?: boolean } = {}): Promise<StatementStats> {
  const response = await fetch(`${statsUrl}/stats`, { method: options.reset ? 'POST' : 'GET' });
  if (!response.ok) throw new Error(`stats endpoint ${statsUrl} answered ${response.status}`);
  return (await response.json()) as StatementStats;
}

export async function resetStats(statsUrl: string): Promise<void> {
  const response = await fetch(`${statsUrl}/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`stats endpoint ${statsUrl} answered ${response.status}`);
}
