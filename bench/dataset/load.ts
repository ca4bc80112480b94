import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Dataset } from './model';
import { datasetTables, type DatasetTable } from './tables';

export interface TablePlan {
  table: DatasetTable;
  /** Columns to fill: those the generator provides and the table has. */
  columns: string[];
  /** Why the table is skipped, or null when it loads. */
  skipped: string | null;
}

export interface TableLoad {
  table: string;
  rows: number;
  ms: number;
  skipped: string | null;
}

export interface LoadResult {
  /** Wall time of the whole load (truncate, every COPY, commit). */
  ms: number;
  rows: number;
  tables: TableLoad[];
}

/** Where the plain-COPY baseline writes: tables with the same columns and no index, constraint or default. */
export const PLAIN_SCHEMA = 'bench_plain';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const qualified = (table: string) => table.split('.').map(quoteIdent).join('.');

/**
 * Matches the generator's tables against the database as it is today: a missing table is skipped with a note
 * naming who delivers it; a table with a required column (not null, no default) the generator cannot fill is
 * skipped with a note naming the column, so the fix is one entry in tables.ts.
 */
export async function planLoad(client: Client, dataset: Dataset): Promise<TablePlan[]> {
  const plans: TablePlan[] = [];
  for (const table of datasetTables(dataset)) {
    const [schema, name] = table.table.split('.');
    const { rows } = await client.query<{ column_name: string; required: boolean }>(
      `select column_name, (is_nullable = 'NO' and column_default is null and is_identity = 'NO' and is_generated = 'NEVER') as required
         from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position`,
      [schema, name],
    );
    if (rows.length === 0) {
      plans.push({ table, columns: [], skipped: `not yet available: ${table.table} does not exist (${table.owner})` });
      continue;
    }
    const provided = new Set(table.provides);
    const missing = rows.filter((r) => r.required && !provided.has(r.column_name)).map((r) => r.column_name);
    const columns = rows.filter((r) => provided.has(r.column_name)).map((r) => r.column_name);
    plans.push({
      table,
      columns,
      skipped: missing.length > 0 ? `skipped: ${table.table} requires ${missing.join(', ')}, which bench/dataset/tables.ts does not fill yet` : null,
    });
  }
  // A table whose referenced table is skipped would fail on its foreign keys: skip it too, saying why.
  const skipped = new Set(plans.filter((p) => p.skipped).map((p) => p.table.table));
  for (const plan of plans) {
    if (plan.skipped) continue;
    const [schema, name] = plan.table.table.split('.');
    const { rows } = await client.query<{ target: string }>(
      `select distinct fn.nspname || '.' || ft.relname as target
         from pg_constraint c
         join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
         join pg_class ft on ft.oid = c.confrelid join pg_namespace fn on fn.oid = ft.relnamespace
        where c.contype = 'f' and n.nspname = $1 and t.relname = $2`,
      [schema, name],
    );
    const blocked = rows.map((r) => r.target).filter((t) => skipped.has(t));
    if (blocked.length > 0) {
      plan.skipped = `skipped: ${plan.table.table} references ${blocked.join(', ')}, which is skipped`;
      skipped.add(plan.table.table);
    }
  }
  return plans;
}

/** Batches lines into ~256 KB chunks: one stream write per line would cost more than the COPY itself. */
function* chunks(lines: Iterable<string>, counter: { rows: number }): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    counter.rows += 1;
    if (chunk.length >= 262_144) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function copyInto(client: Client, target: string, columns: readonly string[], lines: Iterable<string>): Promise<number> {
  const counter = { rows: 0 };
  const sink = client.query(copyFrom(`copy ${target} (${columns.map(quoteIdent).join(', ')}) from stdin`));
  await pipeline(Readable.from(chunks(lines, counter)), sink);
  return counter.rows;
}

/**
 * Loads the dataset in one transaction: `real` truncates and fills the services' own tables (their indexes,
 * constraints, foreign keys and defaults all apply); `plain` writes the same rows and columns into bare copies
 * under `bench_plain` — the baseline of what COPY alone costs on this machine.
 */
export async function loadDataset(client: Client, plans: readonly TablePlan[], mode: 'real' | 'plain'): Promise<LoadResult> {
  const loadable = plans.filter((p) => p.skipped === null);
  const target = (p: TablePlan) => (mode === 'real' ? qualified(p.table.table) : `${quoteIdent(PLAIN_SCHEMA)}.${quoteIdent(p.table.table.replace('.', '__'))}`);
  if (mode === 'plain') {
    await client.query(`create schema if not exists ${quoteIdent(PLAIN_SCHEMA)}`);
    for (const p of loadable) {
      await client.query(`drop table if exists ${target(p)}`);
      await client.query(`create table ${target(p)} as select ${p.columns.map(quoteIdent).join(', ')} from ${qualified(p.table.table)} with no data`);
    }
  }
  const tables: TableLoad[] = plans.filter((p) => p.skipped !== null).map((p) => ({ table: p.table.table, rows: 0, ms: 0, skipped: p.skipped }));
  const started = performance.now();
  await client.query('begin');
  try {
    if (loadable.length > 0) await client.query(`truncate ${loadable.map(target).join(', ')}${mode === 'real' ? ' cascade' : ''}`);
    for (const p of loadable) {
      const t0 = performance.now();
      const rows = await copyInto(client, target(p), p.columns, p.table.lines(p.columns));
      tables.push({ table: p.table.table, rows, ms: performance.now() - t0, skipped: null });
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
  const ms = performance.now() - started;
  return { ms, rows: tables.reduce((n, t) => n + t.rows, 0), tables };
}

/** Fresh planner statistics after a load, so the query scenarios see realistic plans. */
export async function analyzeLoaded(client: Client, plans: readonly TablePlan[]): Promise<void> {
  for (const p of plans) if (p.skipped === null) await client.query(`analyze ${qualified(p.table.table)}`);
}
