import { hash32 } from './random';
import type { Dataset, InstallRow, MachineRow } from './model';

/*
 * One module per table: which table, who owns it (for the note printed while it does not exist yet), and a value
 * for every column the generator knows how to fill, by column name. The loader fills the columns the table really
 * has, so a table that gains a column with a default keeps loading; a table that gains a required column the
 * generator does not know is skipped with a note naming it. Adding a table = adding an entry here.
 */

export type CopyValue = string | number | boolean | Date | null;

export interface DatasetTable {
  /** `schema.table`. */
  readonly table: string;
  /** Who delivers the table, for the note printed while it does not exist. */
  readonly owner: string;
  /** Rows the table gets, when known without generating them. */
  readonly estimatedRows: number | null;
  /** Columns the generator can fill, by name. */
  readonly provides: readonly string[];
  /** COPY text-format lines (newline-terminated) with the given columns, in that order. */
  lines(columns: readonly string[]): Iterable<string>;
}

/** COPY text format: `\N` for null, backslash escapes for the characters that would end a field or a row. */
export function encode(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function defineTable<R>(spec: {
  table: string;
  owner: string;
  estimatedRows: number | null;
  rows: () => Iterable<R>;
  columns: Record<string, (row: R) => CopyValue>;
}): DatasetTable {
  return {
    table: spec.table,
    owner: spec.owner,
    estimatedRows: spec.estimatedRows,
    provides: Object.keys(spec.columns),
    *lines(columns) {
      const getters = columns.map((c) => {
        const getter = spec.columns[c];
        if (!getter) throw new Error(`${spec.table}: the generator has no value for column ${c}`);
        return getter;
      });
      for (const row of spec.rows()) {
        let line = '';
        for (let i = 0; i < getters.length; i += 1) line += (i === 0 ? '' : '\t') + encode(getters[i](row));
        yield `${line}\n`;
      }
    },
  };
}

const CREATED = new Date(Date.UTC(2026, 0, 1));

/** The dataset's tables in load order (referenced tables first). */
export function datasetTables(d: Dataset): DatasetTable[] {
  const unitId = (i: number) => d.units[i].id;
  const editionOf = (i: InstallRow) => (i.title.edition === null ? null : d.editions[i.title.edition].id);
  function* installs(): Generator<InstallRow> {
    for (const { installs: list } of d.machinesWithInstalls()) yield* list;
  }
  function* machines(): Generator<MachineRow> {
    for (let i = 0; i < d.size.machines; i += 1) yield d.machine(i);
  }
  const checksum = (m: MachineRow) => `${hash32(d.size.seed, 83, m.index).toString(16).padStart(8, '0')}${hash32(d.size.seed, 89, m.index).toString(16).padStart(8, '0')}`.padEnd(64, '0');
  const reportedAt = (m: MachineRow) => new Date(Date.UTC(2026, 10, 20) + (hash32(d.size.seed, 43, m.index) % 86_400) * 1000);

  return [
    defineTable({
      table: 'registry.org_unit',
      owner: 'registry',
      estimatedRows: d.units.length,
      rows: () => d.units,
      columns: {
        id: (u) => u.id,
        code: (u) => u.code,
        name: (u) => u.name,
        kind: (u) => u.kind,
        parent_id: (u) => (u.parent === null ? null : unitId(u.parent)),
        created_at: () => CREATED,
      },
    }),
    defineTable({
      table: 'registry.org_unit_closure',
      owner: 'registry',
      estimatedRows: d.units.reduce((n, u) => n + u.path.length, 0),
      rows: () => d.closure(),
      columns: { ancestor_id: (r) => r.ancestor.id, descendant_id: (r) => r.descendant.id, depth: (r) => r.depth },
    }),
    defineTable({
      table: 'registry.machine',
      owner: 'registry',
      estimatedRows: d.size.machines,
      rows: machines,
      columns: {
        id: (m) => m.id,
        org_unit_id: (m) => unitId(m.unit),
        asset_tag: (m) => m.assetTag,
        hostname: (m) => m.hostname,
        serial_number: (m) => m.serialNumber,
        uuid: (m) => m.uuid,
        kind: (m) => m.kind,
        operator: (m) => m.operator,
        status: (m) => m.status,
        created_at: () => CREATED,
        updated_at: () => CREATED,
      },
    }),
    defineTable({
      table: 'registry.publisher',
      owner: 'the registry catalogue (publishers, products, editions)',
      estimatedRows: d.publishers.length,
      rows: () => d.publishers,
      columns: { id: (p) => p.id, name: (p) => p.name, created_at: () => CREATED, updated_at: () => CREATED },
    }),
    defineTable({
      table: 'registry.product',
      owner: 'the registry catalogue (publishers, products, editions)',
      estimatedRows: d.products.length,
      rows: () => d.products,
      columns: {
        id: (p) => p.id,
        publisher_id: (p) => d.publishers[p.publisher].id,
        name: (p) => p.name,
        code: (p) => p.key.slice(0, 64),
        category: (p) => p.category,
        licensable: (p) => p.licensable,
        created_at: () => CREATED,
        updated_at: () => CREATED,
      },
    }),
    defineTable({
      table: 'registry.edition',
      owner: 'the registry catalogue (publishers, products, editions)',
      estimatedRows: d.editions.length,
      rows: () => d.editions,
      columns: {
        id: (e) => e.id,
        product_id: (e) => d.products[e.product].id,
        name: (e) => e.name,
        version: (e) => e.version,
        sku: (e) => e.key,
        metric: (e) => e.metric,
        default_metric: (e) => e.metric,
        code: (e) => e.key.slice(0, 64),
        list_price: (e) => e.listPrice,
        list_currency: (e) => (e.listPrice === null ? null : 'CNY'),
        created_at: () => CREATED,
        updated_at: () => CREATED,
      },
    }),
    defineTable({
      table: 'registry.entitlement',
      owner: 'registry entitlements (purchases)',
      estimatedRows: d.size.entitlements,
      rows: () => d.entitlements,
      columns: {
        id: (e) => e.id,
        edition_id: (e) => d.editions[e.edition].id,
        org_unit_id: (e) => unitId(e.ownerUnit),
        owner_unit_id: (e) => unitId(e.ownerUnit),
        quantity: (e) => e.quantity,
        metric: (e) => e.metric,
        type: (e) => e.type,
        allocation: (e) => e.allocation,
        valid_from: (e) => e.validFrom,
        valid_until: (e) => e.validUntil,
        unit_price: (e) => e.unitCost,
        currency: () => 'CNY',
        asset_tag: (e) => e.assetTag,
        created_at: () => CREATED,
        updated_at: () => CREATED,
      },
    }),
    defineTable({
      table: 'registry.assignment',
      owner: 'registry seat assignments',
      estimatedRows: null,
      rows: function* () {
        const allocate = d.seatAllocator();
        for (const { machine, installs: list } of d.machinesWithInstalls()) yield* allocate(machine, list);
      },
      columns: {
        id: (a) => a.id,
        entitlement_id: (a) => d.entitlements[a.entitlement].id,
        machine_id: (a) => a.machine.id,
        person_id: () => null,
        assigned_at: (a) => a.assignedAt,
        assigned_by: () => 'bench',
        created_at: (a) => a.assignedAt,
        revoked_at: () => null,
      },
    }),
    defineTable({
      table: 'audit.software_title',
      owner: 'audit ingest and normalization',
      estimatedRows: d.titles.length,
      rows: () => d.titles,
      columns: {
        id: (t) => t.id,
        name: (t) => t.name,
        version: (t) => t.version,
        publisher: (t) => t.publisher,
        edition_id: (t) => (t.edition === null ? null : d.editions[t.edition].id),
        ignored: (t) => t.kind === 'ignore',
        rule_id: () => null,
        recognized_at: () => CREATED,
        created_at: () => CREATED,
      },
    }),
    defineTable({
      table: 'audit.installation',
      owner: 'audit ingest',
      estimatedRows: d.size.machines * d.size.installsPerMachine,
      rows: installs,
      columns: {
        machine_id: (i) => i.machine.id,
        title_id: (i) => i.title.id,
        raw_name: (i) => i.title.name,
        raw_version: (i) => i.title.version,
        raw_publisher: (i) => i.title.publisher,
        arch: (i) => i.title.arch,
        is_operating_system: (i) => i.title.isOperatingSystem,
        edition_id: editionOf,
        first_seen_at: (i) => i.firstSeenAt,
        last_seen_at: (i) => i.lastSeenAt,
      },
    }),
    defineTable({
      table: 'audit.machine_inventory',
      owner: 'audit ingest',
      estimatedRows: d.size.machines,
      rows: machines,
      columns: {
        machine_id: (m) => m.id,
        last_report_at: reportedAt,
        last_collected_at: reportedAt,
        last_applied_at: reportedAt,
        checksum,
        source: () => 'OCS',
        device_id: (m) => `${m.hostname}-2026-11-20-00-00-00`,
        operating_system: (m) => d.installedTitles(m.index).find((t) => t.isOperatingSystem)?.name ?? null,
      },
    }),
    defineTable({
      table: 'audit.inventory_report',
      owner: 'audit ingest',
      estimatedRows: d.size.machines,
      rows: machines,
      columns: {
        machine_id: (m) => m.id,
        org_unit_id: (m) => unitId(m.unit),
        source: () => 'OCS',
        device_id: (m) => `${m.hostname}-2026-11-20-00-00-00`,
        tag: (m) => d.units[m.unit].code,
        received_at: reportedAt,
        collected_at: reportedAt,
        partial: () => false,
        checksum,
        software_count: () => d.size.installsPerMachine,
        outcome: () => 'APPLIED',
        actor_id: () => 'bench',
        request_id: (m) => `bench-load-${m.index}`,
      },
    }),
  ];
}
