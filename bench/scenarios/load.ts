import { Client } from 'pg';
import type { Dataset } from '../dataset/model';
import { analyzeLoaded, loadDataset, planLoad, type LoadResult } from '../dataset/load';
import { median, measured, type Figure } from '../support/report';

export interface LoadScenarioResult {
  figures: Figure[];
  notes: string[];
  /** The last real load, per table. */
  last: LoadResult;
}

/**
 * Scenario (a): the dataset loaded into the services' real tables (indexes, constraints, foreign keys, defaults),
 * against the same rows COPY'd into bare tables — runs alternate so drift hits both alike; the last run is a
 * real one, so the query scenarios read the loaded dataset.
 */
export async function loadScenario(databaseUrl: string, dataset: Dataset, runs: number, log: (line: string) => void): Promise<LoadScenarioResult> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const plans = await planLoad(client, dataset);
    const notes = plans.filter((p) => p.skipped).map((p) => p.skipped ?? '');
    for (const note of notes) log(`  ${note}`);
    const real: number[] = [];
    const plain: number[] = [];
    let last: LoadResult | undefined;
    for (let run = 0; run < runs; run += 1) {
      const p = await loadDataset(client, plans, 'plain');
      plain.push(p.ms);
      last = await loadDataset(client, plans, 'real');
      real.push(last.ms);
      log(`  run ${run + 1}/${runs}: real tables ${(last.ms / 1000).toFixed(1)} s, plain COPY ${(p.ms / 1000).toFixed(1)} s (${last.rows.toLocaleString('en-US')} rows)`);
    }
    if (!last) throw new Error('no load run');
    await analyzeLoaded(client, plans);
    await client.query(`drop schema if exists bench_plain cascade`);
    const rows = last.rows;
    const perTable = last.tables
      .filter((t) => !t.skipped)
      .map((t) => `${t.table} ${t.rows.toLocaleString('en-US')} rows ${(t.ms / 1000).toFixed(1)} s`)
      .join('; ');
    const figures = [
      measured({
        scenario: 'load',
        figure: `dataset load into the real tables (${rows.toLocaleString('en-US')} rows)`,
        unit: 's',
        ours: median(real) / 1000,
        baselineName: 'plain COPY, same rows',
        baseline: median(plain) / 1000,
        target: '<= 3x plain COPY',
        runs: real.map((ms) => ms / 1000),
        baselineRuns: plain.map((ms) => ms / 1000),
        note: `per table (last run): ${perTable}${notes.length ? `. ${notes.join('. ')}` : ''}`,
      }),
      measured({
        scenario: 'load',
        figure: 'dataset load rate',
        unit: 'rows/s',
        ours: rows / (median(real) / 1000),
        baselineName: 'plain COPY',
        baseline: rows / (median(plain) / 1000),
        target: 'seconds, not minutes, per million rows',
      }),
    ];
    return { figures, notes, last };
  } finally {
    await client.end();
  }
}
