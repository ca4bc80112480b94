import { createHash, hash } from 'node:crypto';
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
  // One-shot hash: three times cheaper than a Hash object, and an inventory computes hundreds of these.
  const hex = hash('sha256', JSON.stringify([name, version, publisher]), 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Flattens an inventory into rows; installations are de-duplicated on (title, arch, OS flag) and sorted. */
export function inventoryContent(inventory: AgentInventory): InventoryContent {
  const titles = new Map<string, TitleRow>();
  const installations = new Map<string, InstallationRow>();
  const add = (rawName: string, rawVersion: string | null, rawPublisher: string | null, arch: string | null, isOperatingSystem: boolean) => {
    const { name, version, publisher } = normalizedTitle(rawName, rawVersion, rawPublisher);
    const id = titleId(name, version, publisher);
    if (!titles.has(id)) titles.set(id, { id, name, version, publisher });
    const row: InstallationRow = { titleId: id, arch: (arch ?? '').slice(0, MAX_ARCH_LENGTH), isOperatingSystem };
    installations.set(`${id}|${row.arch}|${isOperatingSystem ? 1 : 0}`, row);
  };
  const os = inventory.operatingSystem;
  if (os !== null) add(os.name, os.version, os.publisher, os.arch, true);
  for (const software of inventory.software) add(software.name, software.version, software.publisher, software.arch, false);

  const sortedInstallations = [...installations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
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
