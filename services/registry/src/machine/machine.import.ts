import { parse } from 'csv-parse/sync';
import { MachineKind } from '@genuine/kit';
import { ORG_UNIT_CODE } from '../org-unit/org-unit.input';

/** One data line of the self-check spreadsheet, parsed; `line` is its line number in the file (the header is 1). */
export interface MachineCsvRow {
  line: number;
  orgUnitCode: string;
  assetTag: string | null;
  hostname: string | null;
  serialNumber: string | null;
  kind: MachineKind;
  operator: string | null;
}

export interface MachineCsvError {
  line: number;
  reason: string;
}

export const MAX_CSV_ROWS = 5000;

/** Header names (English and the spreadsheet's Chinese) → column. */
const headers: Record<string, keyof Omit<MachineCsvRow, 'line'>> = {
  unit: 'orgUnitCode',
  unit_code: 'orgUnitCode',
  org_unit: 'orgUnitCode',
  org_unit_code: 'orgUnitCode',
  orgunitcode: 'orgUnitCode',
  单位代码: 'orgUnitCode',
  单位编码: 'orgUnitCode',
  asset_tag: 'assetTag',
  assettag: 'assetTag',
  资产编号: 'assetTag',
  hostname: 'hostname',
  host_name: 'hostname',
  计算机名: 'hostname',
  主机名: 'hostname',
  serial: 'serialNumber',
  serial_number: 'serialNumber',
  serialnumber: 'serialNumber',
  序列号: 'serialNumber',
  kind: 'kind',
  type: 'kind',
  类型: 'kind',
  operator: 'operator',
  使用人: 'operator',
  操作员: 'operator',
};

const kinds: Record<string, MachineKind> = {
  desktop: MachineKind.DESKTOP,
  台式机: MachineKind.DESKTOP,
  laptop: MachineKind.LAPTOP,
  notebook: MachineKind.LAPTOP,
  笔记本: MachineKind.LAPTOP,
  笔记本电脑: MachineKind.LAPTOP,
  server: MachineKind.SERVER,
  服务器: MachineKind.SERVER,
  virtual: MachineKind.VIRTUAL,
  vm: MachineKind.VIRTUAL,
  虚拟机: MachineKind.VIRTUAL,
};

const limits = { assetTag: 100, hostname: 255, serialNumber: 255, operator: 200 } as const;

/**
 * Parses the self-check spreadsheet saved as CSV: a header row naming the columns (unit code, asset tag,
 * hostname, serial, kind, operator; English or Chinese names, any order), then one machine per line. Every
 * problem is reported with its line number; duplicates inside the file are problems too.
 */
export function parseMachineCsv(text: string): { rows: MachineCsvRow[]; errors: MachineCsvError[] } {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false, trim: true, bom: true }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return { rows: [], errors: [{ line, reason: `not valid CSV: ${(err as Error).message.split('\n')[0]}` }] };
  }
  if (records.length === 0) return { rows: [], errors: [{ line: 1, reason: 'the file is empty; it needs a header row' }] };
  const columns = records[0].map((h) => headers[h.trim().toLowerCase().replace(/[\s-]+/g, '_')]);
  const missing = (['orgUnitCode', 'kind'] as const).filter((c) => !columns.includes(c));
  const errors: MachineCsvError[] = [];
  if (missing.length > 0) return { rows: [], errors: [{ line: 1, reason: `the header lacks the column(s) ${missing.join(', ')}` }] };
  if (!columns.some((c) => c === 'hostname' || c === 'serialNumber')) {
    return { rows: [], errors: [{ line: 1, reason: 'the header needs a hostname or a serial column' }] };
  }
  const rows: MachineCsvRow[] = [];
  const seen = new Map<string, number>();
  const dataLines = records.slice(1);
  if (dataLines.filter((r) => r.some((v) => v !== '')).length > MAX_CSV_ROWS) {
    return { rows: [], errors: [{ line: 1, reason: `at most ${MAX_CSV_ROWS} machines per file` }] };
  }
  dataLines.forEach((record, i) => {
    const line = i + 2;
    if (record.every((v) => v === '')) return;
    const value = (column: keyof Omit<MachineCsvRow, 'line'>) => {
      const index = columns.indexOf(column);
      const v = index >= 0 ? (record[index] ?? '').trim() : '';
      return v === '' ? null : v;
    };
    const reasons: string[] = [];
    const orgUnitCode = value('orgUnitCode');
    if (!orgUnitCode) reasons.push('no unit code');
    else if (!ORG_UNIT_CODE.test(orgUnitCode)) reasons.push(`"${orgUnitCode}" is not a valid unit code`);
    const kindText = value('kind');
    const kind = kindText ? (kinds[kindText.toLowerCase()] ?? (MachineKind as Record<string, MachineKind>)[kindText.toUpperCase()]) : undefined;
    if (!kindText) reasons.push('no kind');
    else if (!kind) reasons.push(`unknown kind "${kindText}" (expected DESKTOP, LAPTOP, SERVER or VIRTUAL)`);
    const row = { assetTag: value('assetTag'), hostname: value('hostname'), serialNumber: value('serialNumber'), operator: value('operator') };
    if (!row.hostname && !row.serialNumber) reasons.push('neither hostname nor serial');
    for (const [field, max] of Object.entries(limits) as Array<[keyof typeof limits, number]>) {
      if ((row[field]?.length ?? 0) > max) reasons.push(`${field} is longer than ${max} characters`);
    }
    for (const key of [row.serialNumber ? `serial:${row.serialNumber}` : null, row.hostname && orgUnitCode ? `host:${orgUnitCode}/${row.hostname}` : null]) {
      if (key === null) continue;
      const earlier = seen.get(key);
      if (earlier !== undefined) reasons.push(`same ${key.startsWith('serial') ? 'serial' : 'unit and hostname'} as line ${earlier}`);
      else seen.set(key, line);
    }
    if (reasons.length > 0) errors.push({ line, reason: reasons.join('; ') });
    else if (orgUnitCode && kind) rows.push({ line, orgUnitCode, kind, ...row });
  });
  return { rows, errors };
}
