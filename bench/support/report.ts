import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One line of the bench table; the JSON file holds the same objects. */
export interface Figure {
  scenario: string;
  figure: string;
  unit: string;
  /** Median of the runs (or the exact value for counts); null when not measured. */
  ours: number | null;
  baselineName: string | null;
  baseline: number | null;
  /** ours / baseline. */
  ratio: number | null;
  target: string;
  status: 'measured' | 'not yet available' | 'failed';
  note?: string;
  /** Every run's value, for the medians. */
  runs?: number[];
  baselineRuns?: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function measured(f: Omit<Figure, 'status' | 'ratio'> & { ratio?: number | null }): Figure {
  const ratio = f.ratio !== undefined ? f.ratio : f.ours !== null && f.baseline !== null && f.baseline !== 0 && Number.isFinite(f.ours) ? f.ours / f.baseline : null;
  return { ...f, ratio, status: 'measured' };
}

export function pending(scenario: string, figure: string, target: string, note: string, baselineName: string | null = null): Figure {
  return { scenario, figure, unit: '', ours: null, baselineName, baseline: null, ratio: null, target, status: 'not yet available', note };
}

export function failed(scenario: string, figure: string, target: string, note: string): Figure {
  return { scenario, figure, unit: '', ours: null, baselineName: null, baseline: null, ratio: null, target, status: 'failed', note };
}

function show(value: number | null, unit: string): string {
  if (value === null || Number.isNaN(value)) return '';
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

/** The table `npm run bench` prints. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.figure,
    f.status !== 'measured' ? f.status : f.ours === null ? 'failed' : show(f.ours, f.unit),
    f.baseline === null ? (f.baselineName ?? '') : `${show(f.baseline, f.unit)} (${f.baselineName ?? ''})`,
    f.ratio === null ? '' : `${f.ratio.toFixed(2)}x`,
    f.target,
  ]);
  const header = ['figure', 'ours', 'baseline', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  const notes = figures.filter((f) => f.note).map((f) => `  - ${f.figure}: ${f.note}`);
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line), '', 'notes:', ...notes].join('\n');
}

export const RESULTS_DIR = path.resolve(__dirname, '../results');

/** Writes the run as JSON under bench/results/<timestamp>.json, and as latest.json for full (not --quick) runs. */
export function writeResults(run: Record<string, unknown> & { quick: boolean }, figures: readonly Figure[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${stamp}${run.quick ? '-quick' : ''}.json`);
  const body = `${JSON.stringify({ ...run, figures }, null, 2)}\n`;
  writeFileSync(file, body);
  if (!run.quick) writeFileSync(path.join(RESULTS_DIR, 'latest.json'), body);
  return file;
}
