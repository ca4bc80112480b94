import { createHash, hash } from 'node:crypto';
// The one module of the kit, not its index: this module runs on the ingest's reading threads too.
import { sqlArray } from '@genuine/kit/src/database';
import { normalizedTitle } from '../normalization/title-text';
import type { AgentInventory } from './agent-protocol';

/**
 * What the ingest keeps of a parsed inventory, in the shape the set-based SQL takes: the distinct titles, the
 * machine's installations (the operating system as one of them), the evidence sections, and a checksum of all of
 * it. Pure: no database, no clock.
 */

export interface TitleRow {
  /** Derived from the text (see `titleId`), so ingests never look ids up. Parts are whitespace-normalized. */
  readonly id: string;
  readonly name: string;
  readonly version: string | null;
  readonly publisher: string | null;
}

export interface InstallationRow {
  readonly titleId: string;
  /** '' when the agent reported no architecture. */
  readonly arch: string;
  readonly isOperatingSystem: boolean;
}

export interface InventoryContent {
  readonly titles: readonly TitleRow[];
  readonly installations: readonly InstallationRow[];
  readonly operatingSystem: string | null;
  readonly antivirus: ReadonlyArray<Record<string, unknown>>;
  readonly licenseKeys: ReadonlyArray<Record<string, unknown>>;
  /** sha256 (hex) of the content above plus the machine identity and the TAG: equal checksums, identical inventory. */
  readonly checksum: string;
}

/** Longest raw title part stored (`software_title` columns); the protocol's field limit is the same. */
export const MAX_TITLE_PART_LENGTH = 1024;
/** Longest architecture kept (`installation.arch`); longer ones are cut, they only tell x86 from x64. */
export const MAX_ARCH_LENGTH = 64;

/**
 * The id of a title: the first 128 bits of sha256 over its three parts, formatted as a uuid. Titles are text an
 * agent controls, so the hash must resist chosen collisions (md5 would not).
 */
export function titleId(name: string, version: string | null, publisher: string | null): string {
  return idOfTitleText(JSON.stringify([name, version, publisher]));
}

function idOfTitleText(text: string): string {
  // One-shot hash: three times cheaper than a Hash object, and an inventory computes hundreds of these.
  const hex = hash('sha256', text, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Title rows by raw name, then raw version, then raw publisher (null for absent parts). */
type RowsByParts = Map<string, Map<string | null, Map<string | null, TitleRow>>>;

/**
 * Title rows by the raw parts an agent sent: a fleet reports the same few thousand titles over and over, so
 * normalizing and hashing each once per process saves most of `inventoryContent`'s work. Nested maps keyed by the
 * parts themselves: no key string to build per lookup. Bounded: two generations of at most `capacity` titles each;
 * when the young one fills up, the old one is dropped (an approximate LRU without per-hit bookkeeping). A miss
 * only costs the computation, so any capacity is correct.
 */
export class TitleRowMemo {
  private young: RowsByParts = new Map();
  private old: RowsByParts = new Map();
  private youngSize = 0;
  // Ids of titles known to be stored in `software_title`, in two generations like the rows.
  private storedYoung = new Set<string>();
  private storedOld = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /**
   * Whether the title is known to be stored. Titles are append-only (never deleted, never re-keyed: see
   * `Installation`), so once a committed transaction has seen a title stored it stays stored, and the ingest need
   * not ask the database again. Forgetting is always safe: the database is asked.
   */
  isStored(id: string): boolean {
    return this.storedYoung.has(id) || this.storedOld.has(id);
  }

  /** Records titles a committed transaction found or stored in `software_title`. */
  markStored(ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.storedYoung.has(id)) continue;
      if (this.storedYoung.size >= this.capacity) {
        this.storedOld = this.storedYoung;
        this.storedYoung = new Set();
      }
      this.storedYoung.add(id);
    }
  }

  row(rawName: string, rawVersion: string | null, rawPublisher: string | null): TitleRow {
    const hit = lookup(this.young, rawName, rawVersion, rawPublisher);
    if (hit !== undefined) return hit;
    const row = lookup(this.old, rawName, rawVersion, rawPublisher) ?? titleRow(rawName, rawVersion, rawPublisher, true);
    if (this.youngSize >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
      this.youngSize = 0;
    }
    // The keys are kept, so they get strings of their own too (see `titleRow`).
    const [name, version, publisher] = JSON.parse(JSON.stringify([rawName, rawVersion, rawPublisher])) as [string, string | null, string | null];
    let byVersion = this.young.get(name);
    if (byVersion === undefined) this.young.set(name, (byVersion = new Map()));
    let byPublisher = byVersion.get(version);
    if (byPublisher === undefined) byVersion.set(version, (byPublisher = new Map()));
    byPublisher.set(publisher, row);
    this.youngSize += 1;
    return row;
  }

  /** Titles remembered (both generations). */
  get size(): number {
    let size = this.youngSize;
    for (const byVersion of this.old.values()) for (const byPublisher of byVersion.values()) size += byPublisher.size;
    return size;
  }
}

function lookup(rows: RowsByParts, name: string, version: string | null, publisher: string | null): TitleRow | undefined {
  return rows.get(name)?.get(version)?.get(publisher);
}

/**
 * `detached`: with strings of their own. Parsed values are slices of the whole request text, and V8 keeps a
 * slice's parent alive: a remembered row must not pin the inventory it came from.
 */
function titleRow(rawName: string, rawVersion: string | null, rawPublisher: string | null, detached = false): TitleRow {
  const { name, version, publisher } = normalizedTitle(rawName, rawVersion, rawPublisher);
  const text = JSON.stringify([name, version, publisher]);
  const id = idOfTitleText(text);
  if (!detached) return { id, name, version, publisher };
  const [ownName, ownVersion, ownPublisher] = JSON.parse(text) as [string, string | null, string | null];
  return { id, name: ownName, version: ownVersion, publisher: ownPublisher };
}

/**
 * Flattens an inventory into rows; installations are de-duplicated on (title, arch, OS flag) and sorted. `memo`
 * (optional) remembers title rows across inventories; the result is the same with or without it.
 */
export function inventoryContent(inventory: AgentInventory, memo?: TitleRowMemo): InventoryContent {
  const titles = new Map<string, TitleRow>();
  const installations = new Map<string, InstallationRow>();
  const add = (rawName: string, rawVersion: string | null, rawPublisher: string | null, arch: string | null, isOperatingSystem: boolean) => {
    const title = memo ? memo.row(rawName, rawVersion, rawPublisher) : titleRow(rawName, rawVersion, rawPublisher);
    if (!titles.has(title.id)) titles.set(title.id, title);
    const row: InstallationRow = { titleId: title.id, arch: (arch ?? '').slice(0, MAX_ARCH_LENGTH), isOperatingSystem };
    installations.set(`${title.id}|${row.arch}|${isOperatingSystem ? 1 : 0}`, row);
  };
  const os = inventory.operatingSystem;
  if (os !== null) add(os.name, os.version, os.publisher, os.arch, true);
  for (const software of inventory.software) add(software.name, software.version, software.publisher, software.arch, false);

  // The default sort compares strings by UTF-16 code units, as `<` does, without calling back into JavaScript.
  const sortedInstallations: InstallationRow[] = [];
  for (const key of [...installations.keys()].sort()) {
    const row = installations.get(key);
    if (row) sortedInstallations.push(row);
  }
  const antivirus = inventory.antivirus.map((a) => ({ name: a.name, version: a.version, publisher: a.publisher, enabled: a.enabled, upToDate: a.upToDate }));
  const licenseKeys = inventory.licenseKeys.map((k) => ({ name: k.name, productId: k.productId, keyMasked: k.keyMasked }));
  const { machine } = inventory;
  const checksum = createHash('sha256')
    .update(
      JSON.stringify({
        tag: inventory.tag,
        partial: inventory.partial,
        machine: [machine.uuid, machine.serialNumber, machine.hostname, machine.kind, machine.operator],
        installations: sortedInstallations.map((i) => [i.titleId, i.arch, i.isOperatingSystem]),
        antivirus: sortedJson(antivirus),
        licenseKeys: sortedJson(licenseKeys),
      }),
      'utf8',
    )
    .digest('hex');
  return {
    // Sorted by id: concurrent ingests insert shared new titles in one order, so they wait for each other, never deadlock.
    titles: [...titles.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    installations: sortedInstallations,
    operatingSystem: os?.name ?? null,
    antivirus,
    licenseKeys,
    checksum,
  };
}

function sortedJson(items: ReadonlyArray<Record<string, unknown>>): string[] {
  return items.map((item) => JSON.stringify(item)).sort();
}

/**
 * An inventory's content as text rather than objects, in the form the ingest's statement takes: what a reading
 * thread hands back to the thread that stores it (strings cross between threads as one copy each, where hundreds
 * of row objects would be rebuilt one by one).
 */
export interface PackedContent {
  readonly checksum: string;
  readonly operatingSystem: string | null;
  readonly antivirus: ReadonlyArray<Record<string, unknown>>;
  readonly licenseKeys: ReadonlyArray<Record<string, unknown>>;
  /** The installations as three PostgreSQL array literals in one order: title ids, architectures, OS flags (t/f). */
  readonly installations: { readonly titleIds: string; readonly arches: string; readonly osFlags: string };
  /** The distinct title ids, comma-separated (uuids need no quoting), in id order. */
  readonly titleIds: string;
  /** The title rows in the same order, as JSON `[id, name, version, publisher]` tuples: read only when some are new. */
  readonly titleRows: string;
}

export function packContent(content: InventoryContent): PackedContent {
  const { installations } = content;
  return {
    checksum: content.checksum,
    operatingSystem: content.operatingSystem,
    antivirus: content.antivirus,
    licenseKeys: content.licenseKeys,
    installations: {
      // Title ids are uuids and flags t/f: no element needs quoting.
      titleIds: `{${installations.map((i) => i.titleId).join(',')}}`,
      arches: sqlArray(installations.map((i) => i.arch)),
      osFlags: `{${installations.map((i) => (i.isOperatingSystem ? 't' : 'f')).join(',')}}`,
    },
    titleIds: content.titles.map((t) => t.id).join(','),
    titleRows: JSON.stringify(content.titles.map((t) => [t.id, t.name, t.version, t.publisher])),
  };
}

/** The packed content's distinct title ids. */
export function packedTitleIds(content: PackedContent): string[] {
  return content.titleIds === '' ? [] : content.titleIds.split(',');
}

/** The packed content's title rows whose ids are in `ids`. */
export function packedTitleRows(content: PackedContent, ids: ReadonlySet<string>): TitleRow[] {
  const rows = JSON.parse(content.titleRows) as Array<[string, string, string | null, string | null]>;
  return rows.filter(([id]) => ids.has(id)).map(([id, name, version, publisher]) => ({ id, name, version, publisher }));
}

