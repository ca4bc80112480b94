import { deflateSync } from 'node:zlib';
import type { PlannedMachine } from './plan';

/**
 * A planned machine's inventory as its agent sends it to `POST /ocsinventory`: the XML INVENTORY request of the
 * OCS Inventory Windows agent (HARDWARE/OSNAME, BIOS/TYPE) or of the FusionInventory agent (OPERATINGSYSTEM,
 * HARDWARE/CHASSIS_TYPE), with the org unit's code as ACCOUNTINFO TAG, zlib-compressed as both agents post it.
 */
export function agentInventoryBody(machine: PlannedMachine, index: number): { body: Buffer; contentType: string } {
  return { body: deflateSync(Buffer.from(agentInventoryXml(machine, index), 'utf8')), contentType: 'application/x-compress' };
}

export function agentInventoryXml(machine: PlannedMachine, index: number): string {
  const x = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const el = (name: string, value: string | null) => (value === null ? '' : `<${name}>${x(value)}</${name}>`);
  // Collected over a fortnight of working mornings, deterministically per machine.
  const day = 1 + (index % 14);
  const seconds = 8 * 3600 + ((index * 37) % (3 * 3600));
  const time = `${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  const logDate = `2026-06-${String(day).padStart(2, '0')} ${time}`;
  const deviceId = `${machine.hostname}-2026-06-${String(day).padStart(2, '0')}-${time.replace(/:/g, '-')}`;
  const laptop = machine.kind === 'LAPTOP';
  const fusion = machine.agent === 'FUSIONINVENTORY';
  const os = machine.os;
  const arch = os && /^Microsoft Windows (7|XP)/.test(os.name) ? 'x86' : 'x64';
  const software = machine.software
    .map((s) => `    <SOFTWARES>${el('NAME', s.name)}${el('VERSION', s.version)}${el('PUBLISHER', s.publisher)}${fusion ? `${el('ARCH', 'i586')}<FROM>registry</FROM>` : el('ARCHITECTURE', '32')}</SOFTWARES>`)
    .join('\n');
  const hardware = [
    el('NAME', machine.hostname),
    el('UUID', machine.uuid),
    el('WORKGROUP', machine.unitCode.split('-')[0].toUpperCase()),
    el('LASTLOGGEDUSER', machine.operator),
    el('PROCESSORT', laptop ? 'Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz' : 'Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz'),
    el('MEMORY', laptop ? '8192' : '4096'),
    fusion ? el('CHASSIS_TYPE', laptop ? 'Notebook' : 'Desktop') : '',
    !fusion && os ? `${el('OSNAME', os.name)}${el('OSVERSION', os.version)}${el('ARCH', arch === 'x64' ? 'x86 64 bits' : 'x86 32 bits')}` : '',
  ].join('');
  return `<?xml version="1.0" encoding="UTF-8" ?>
<REQUEST>
  <CONTENT>
    <ACCESSLOG>${el('LOGDATE', logDate)}${el('USERID', machine.operator)}</ACCESSLOG>
    <ACCOUNTINFO><KEYNAME>TAG</KEYNAME>${el('KEYVALUE', machine.unitCode)}</ACCOUNTINFO>
    <BIOS>${el('SMANUFACTURER', machine.manufacturer)}${el('SMODEL', machine.model)}${el('SSN', machine.serialNumber)}${fusion ? '' : el('TYPE', laptop ? 'Notebook' : 'Desktop')}</BIOS>
    <HARDWARE>${hardware}</HARDWARE>
${fusion && os ? `    <OPERATINGSYSTEM>${el('FULL_NAME', os.name)}${el('NAME', 'Windows')}${el('VERSION', os.version)}${el('ARCH', arch === 'x64' ? '64-bit' : '32-bit')}</OPERATINGSYSTEM>\n` : ''}${software}
    ${el('VERSIONCLIENT', fusion ? 'FusionInventory-Agent_v2.6' : 'OCS-NG_WINDOWS_AGENT_v2.6.0.0')}
  </CONTENT>
  ${el('DEVICEID', deviceId)}
  <QUERY>INVENTORY</QUERY>
</REQUEST>
`;
}
