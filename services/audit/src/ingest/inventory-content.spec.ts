import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeAgentBody, parseAgentMessage, type AgentInventory } from './agent-protocol';
import { inventoryContent, titleId, TitleRowMemo } from './inventory-content';

const FIXTURES = join(__dirname, '../../../../test/fixtures/agents');

function fixtureInventory(name: string, contentType: string): AgentInventory {
  const decoded = decodeAgentBody(readFileSync(join(FIXTURES, name)), contentType, { maxInflatedBytes: 32 * 1024 * 1024 });
  const message = parseAgentMessage(decoded, { maxFieldLength: 1024, maxSoftware: 10_000 });
  if (message.kind !== 'INVENTORY') throw new Error(`${name} is not an inventory`);
  return message.inventory;
}

function inventory(overrides: Partial<AgentInventory> = {}): AgentInventory {
  return {
    source: 'FUSIONINVENTORY',
    deviceId: 'pc-1-2026-01-01-00-00-00',
    tag: 'nanxun',
    collectedAt: '2026-01-01T00:00:00.000Z',
    partial: false,
    machine: { uuid: null, serialNumber: 'SN1', hostname: 'pc-1', kind: 'DESKTOP', operator: 'zhangwei' },
    operatingSystem: { name: 'Microsoft Windows 10 Pro', version: '10.0.19045', publisher: 'Microsoft Corporation', arch: '64-bit' },
    software: [
      { name: 'WPS Office', version: '11.1.0', publisher: 'Kingsoft Corp.', arch: 'x86' },
      { name: '7-Zip 19.00 (x64)', version: '19.00', publisher: 'Igor Pavlov', arch: 'x64' },
    ],
    antivirus: [{ name: '火绒安全软件', version: '5.0', publisher: 'Huorong', enabled: true, upToDate: true }],
    licenseKeys: [{ name: 'Microsoft Office Professional Plus 2016', productId: '00339-10000-00000-AA123', keyMasked: '*****-*****-*****-*****-8HVX9' }],
    ...overrides,
  };
}

describe('inventory content', () => {
  it('counts the operating system as an installation of its own, flagged, next to the software', () => {
    const content = inventoryContent(inventory());
    expect(content.installations).toHaveLength(3);
    expect(content.installations.filter((i) => i.isOperatingSystem)).toEqual([
      { titleId: titleId('Microsoft Windows 10 Pro', '10.0.19045', 'Microsoft Corporation'), arch: '64-bit', isOperatingSystem: true },
    ]);
    expect(content.titles.map((t) => t.name).sort()).toEqual(['7-Zip 19.00 (x64)', 'Microsoft Windows 10 Pro', 'WPS Office']);
    expect(content.operatingSystem).toBe('Microsoft Windows 10 Pro');
  });

  it('keys titles by their whitespace-normalized text, so spacing variants are one title', () => {
    const spaced = inventoryContent(inventory({ software: [{ name: 'WPS  Office\t', version: ' 11.1.0', publisher: 'Kingsoft   Corp.', arch: null }], operatingSystem: null }));
    const plain = inventoryContent(inventory({ software: [{ name: 'WPS Office', version: '11.1.0', publisher: 'Kingsoft Corp.', arch: null }], operatingSystem: null }));
    expect(spaced.titles).toEqual(plain.titles);
    expect(spaced.titles[0]).toMatchObject({ name: 'WPS Office', version: '11.1.0', publisher: 'Kingsoft Corp.' });
    expect(spaced.installations[0].arch).toBe('');
  });

  it('gives the same checksum to the same content in any order, and another to any change that matters', () => {
    const base = inventory();
    const checksum = inventoryContent(base).checksum;
    expect(inventoryContent({ ...base, software: [...base.software].reverse() }).checksum).toBe(checksum);
    // The collection time is not content: a new run that finds the same software is a re-send.
    expect(inventoryContent({ ...base, collectedAt: '2026-02-01T00:00:00.000Z' }).checksum).toBe(checksum);
    const changes: Array<Partial<AgentInventory>> = [
      { tag: 'other' },
      { partial: true },
      { software: base.software.slice(1) },
      { software: [{ ...base.software[0], version: '11.1.1' }, base.software[1]] },
      { software: [{ ...base.software[0], arch: 'x64' }, base.software[1]] },
      { operatingSystem: null },
      { antivirus: [] },
      { licenseKeys: [] },
      { machine: { ...base.machine, hostname: 'pc-2' } },
    ];
    for (const change of changes) expect(inventoryContent({ ...base, ...change }).checksum).not.toBe(checksum);
  });

  it('derives title ids from the text alone, as uuids, distinct for distinct titles', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.option(fc.string()), fc.option(fc.string()), (name, version, publisher) => {
        const id = titleId(name, version, publisher);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(titleId(name, version, publisher)).toBe(id);
        // The parts are delimited, so moving text between them makes another title.
        expect(titleId(`${name}x`, version, publisher)).not.toBe(id);
      }),
    );
    expect(titleId('a', null, null)).not.toBe(titleId('a', '', null));
  });

  it('flattens the captured agents\' inventories: 830 packages and the OS, nothing duplicated', () => {
    for (const [file, type] of [
      ['fusioninventory-inventory.xml.zlib', 'application/x-compress-zlib'],
      ['ocs-inventory.xml.zlib', 'application/x-compress'],
    ] as const) {
      const parsed = fixtureInventory(file, type);
      const content = inventoryContent(parsed);
      expect(content.installations).toHaveLength(831);
      expect(new Set(content.installations.map((i) => `${i.titleId}|${i.arch}|${i.isOperatingSystem}`)).size).toBe(831);
      expect(content.installations.filter((i) => i.isOperatingSystem)).toHaveLength(1);
      expect(content.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('keeps evidence without full product keys', () => {
    const parsed = fixtureInventory('glpi-inventory_format-tests-data-12.xml', 'application/xml');
    const content = inventoryContent(parsed);
    expect(content.antivirus.length).toBeGreaterThan(0);
    expect(content.licenseKeys.length).toBeGreaterThan(0);
    for (const key of content.licenseKeys) {
      expect(Object.keys(key).sort()).toEqual(['keyMasked', 'name', 'productId']);
      if (typeof key.keyMasked === 'string') expect(key.keyMasked.replace(/[^0-9A-Za-z]/g, '').length).toBeLessThanOrEqual(5);
    }
  });

  it('gives the same content with a title memo as without, and the memo stays bounded', () => {
    const memo = new TitleRowMemo(100);
    for (const [file, type] of [
      ['fusioninventory-inventory.xml.zlib', 'application/x-compress-zlib'],
      ['ocs-inventory.xml.zlib', 'application/x-compress'],
      ['glpi-inventory_format-tests-data-12.xml', 'application/xml'],
    ] as const) {
      const parsed = fixtureInventory(file, type);
      // Twice: once filling the memo, once reading from it.
      expect(inventoryContent(parsed, memo)).toEqual(inventoryContent(parsed));
      expect(inventoryContent(parsed, memo)).toEqual(inventoryContent(parsed));
    }
    // Two generations of at most 100 titles each, whatever went through.
    expect(memo.size).toBeLessThanOrEqual(200);
    const spaced = { name: 'WPS  Office', version: null, publisher: ' Kingsoft ', arch: null };
    expect(inventoryContent(inventory({ software: [spaced] }), memo).titles).toEqual(inventoryContent(inventory({ software: [spaced] })).titles);
  });

  it('remembers stored titles in two bounded generations, forgetting the oldest first', () => {
    const memo = new TitleRowMemo(2);
    expect(memo.isStored('a')).toBe(false);
    memo.markStored(['a', 'b']);
    expect(['a', 'b'].map((id) => memo.isStored(id))).toEqual([true, true]);
    // A third id starts a new generation; the first stays known until the next one starts.
    memo.markStored(['c']);
    expect(['a', 'b', 'c'].map((id) => memo.isStored(id))).toEqual([true, true, true]);
    memo.markStored(['d', 'e']);
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => memo.isStored(id))).toEqual([false, false, true, true, true]);
    // Marking a known id again does not push anything out.
    memo.markStored(['e', 'e']);
    expect(memo.isStored('c')).toBe(true);
  });
});
