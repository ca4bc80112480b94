import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Dataset, MachineRow } from './model';

/*
 * Agent-format inventories of the dataset's machines for the ingest scenario (issue 4): the XML an OCS
 * Inventory unix agent posts (INVENTORY query, TAG in ACCOUNTINFO, identity in HARDWARE and BIOS, the operating
 * system in HARDWARE/OSNAME, one SOFTWARES element per installed title), zlib-compressed as the agent sends it
 * with `Content-Type: application/x-compress`. Machine i's inventory lists exactly the installations the loader
 * writes for machine i, so a first ingest and a re-send can be compared with the loaded tables.
 */

const escapeXml = (value: string) =>
  value.replace(/[<>&'"]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&apos;' : '&quot;'));

const element = (name: string, value: string | null) => (value === null ? '' : `<${name}>${escapeXml(value)}</${name}>`);

/** The OCS XML of one machine's inventory; `collectedAt` (agent local time) distinguishes successive reports. */
export function ocsInventoryXml(dataset: Dataset, machine: MachineRow, collectedAt = '2026-11-20 08:00:00'): string {
  const titles = dataset.installedTitles(machine.index);
  const os = titles.find((t) => t.isOperatingSystem) ?? null;
  const software = titles
    .filter((t) => !t.isOperatingSystem)
    .map((t) => `<SOFTWARES>${element('NAME', t.name)}${element('VERSION', t.version)}${element('PUBLISHER', t.publisher)}${element('ARCHITECTURE', t.arch || null)}<FROM>registry</FROM></SOFTWARES>`)
    .join('\n    ');
  const unit = dataset.units[machine.unit];
  return `<?xml version="1.0" encoding="UTF-8"?>
<REQUEST>
  <CONTENT>
    <ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${escapeXml(unit.code)}</KEYVALUE></ACCOUNTINFO>
    <ACCESSLOG><LOGDATE>${collectedAt}</LOGDATE>${element('USERID', machine.operator)}</ACCESSLOG>
    <BIOS>${element('SSN', machine.serialNumber)}<SMANUFACTURER>Bench</SMANUFACTURER><TYPE>${machine.kind === 'LAPTOP' ? 'Notebook' : 'Desktop'}</TYPE></BIOS>
    <HARDWARE>${element('NAME', machine.hostname)}${element('UUID', machine.uuid)}${element('OSNAME', os?.name ?? null)}${element('OSVERSION', os?.version ?? null)}<ARCH>x86_64</ARCH></HARDWARE>
    ${software}
  </CONTENT>
  <DEVICEID>${escapeXml(`${machine.hostname}-${collectedAt.replace(/[ :]/g, '-')}`)}</DEVICEID>
  <QUERY>INVENTORY</QUERY>
</REQUEST>
`;
}

/** The same, compressed as the OCS agent posts it. */
export function ocsInventoryZlib(dataset: Dataset, machine: MachineRow, collectedAt?: string): Buffer {
  return deflateSync(Buffer.from(ocsInventoryXml(dataset, machine, collectedAt), 'utf8'));
}

/** Writes the inventories of machines [0, count) as `<hostname>.xml.zlib` under `dir`; returns the bytes written. */
export function writeInventories(dataset: Dataset, dir: string, count: number): { files: number; bytes: number } {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  const n = Math.min(count, dataset.size.machines);
  for (let i = 0; i < n; i += 1) {
    const machine = dataset.machine(i);
    const body = ocsInventoryZlib(dataset, machine);
    writeFileSync(path.join(dir, `${machine.hostname}.xml.zlib`), body);
    bytes += body.length;
  }
  return { files: n, bytes };
}
