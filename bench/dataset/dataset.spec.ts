import { decodeAgentBody, parseAgentMessage } from '@genuine/audit/src/ingest/agent-protocol';
import { ocsInventoryZlib } from './inventories';
import { Dataset } from './model';
import { DEFAULT_SIZE, sizeFromArgs } from './size';
import { datasetTables, encode } from './tables';

const small = { ...DEFAULT_SIZE, machines: 300, units: 20, titles: 400, editions: 120, installsPerMachine: 30, entitlements: 200 };

describe('the bench dataset', () => {
  it('is a pure function of its size and seed', () => {
    const a = new Dataset(small);
    const b = new Dataset(small);
    expect(a.machine(123)).toEqual(b.machine(123));
    expect(a.installedTitles(77).map((t) => t.id)).toEqual(b.installedTitles(77).map((t) => t.id));
    expect(new Dataset({ ...small, seed: 8 }).machine(123).id).not.toBe(a.machine(123).id);
  });

  it('has the requested sizes, a tree with one root, and distinct installations per machine', () => {
    const d = new Dataset(small);
    expect([d.units.length, d.editions.length, d.titles.length, d.entitlements.length]).toEqual([20, 120, 400, 200]);
    expect(d.units.filter((u) => u.parent === null)).toHaveLength(1);
    expect(d.units.every((u) => u.parent === null || d.units[u.parent].depth === u.depth - 1)).toBe(true);
    for (let i = 0; i < small.machines; i += 1) {
      const titles = d.installedTitles(i);
      expect(titles).toHaveLength(30);
      expect(new Set(titles.map((t) => t.id)).size).toBe(30);
      expect(titles.filter((t) => t.isOperatingSystem)).toHaveLength(1);
    }
    const hostnames = Array.from({ length: small.machines }, (_, i) => d.machine(i).hostname);
    expect(new Set(hostnames).size).toBe(small.machines);
  });

  it('assigns seats to about the requested fraction of licensable installations, never past a quantity', () => {
    const d = new Dataset(small);
    const allocate = d.seatAllocator();
    let licensable = 0;
    const seats = new Map<number, number>();
    for (const { machine, installs } of d.machinesWithInstalls()) {
      licensable += new Set(installs.filter((i) => i.title.licensable && i.title.edition !== null).map((i) => i.title.edition)).size;
      for (const a of allocate(machine, installs)) seats.set(a.entitlement, (seats.get(a.entitlement) ?? 0) + 1);
    }
    const assigned = [...seats.values()].reduce((a, b) => a + b, 0);
    expect(assigned / licensable).toBeGreaterThan(0.5);
    expect(assigned / licensable).toBeLessThan(0.7);
    for (const [entitlement, used] of seats) expect(used).toBeLessThanOrEqual(d.entitlements[entitlement].quantity);
  });

  it('writes COPY text that escapes what would end a field or a row', () => {
    expect(['a\tb', 'c\nd', 'e\\f', null, true, 3].map(encode)).toEqual(['a\\tb', 'c\\nd', 'e\\\\f', '\\N', 't', '3']);
    const machine = datasetTables(new Dataset(small)).find((t) => t.table === 'registry.machine');
    const [first] = machine?.lines(['hostname', 'status']) ?? [];
    expect(first).toBe('bench-u00000-pc00001\tACTIVE\n');
  });

  it('emits OCS inventories that the agent protocol parser reads back as the same machine and titles', () => {
    const d = new Dataset(small);
    const machine = d.machine(42);
    const decoded = decodeAgentBody(ocsInventoryZlib(d, machine), 'application/x-compress', { maxInflatedBytes: 10_000_000 });
    const message = parseAgentMessage(decoded, { maxFieldLength: 4096, maxSoftware: 10_000 });
    if (message.kind !== 'INVENTORY') throw new Error(`expected an INVENTORY, got ${message.kind}`);
    const titles = d.installedTitles(42);
    expect(message.inventory.tag).toBe(d.units[machine.unit].code);
    expect(message.inventory.machine).toMatchObject({ hostname: machine.hostname, serialNumber: machine.serialNumber, uuid: machine.uuid });
    expect(message.inventory.operatingSystem?.name).toBe(titles.find((t) => t.isOperatingSystem)?.name);
    expect(message.inventory.software.map((s) => s.name).sort()).toEqual(titles.filter((t) => !t.isOperatingSystem).map((t) => t.name).sort());
  });

  it('reads sizes from arguments and refuses nonsense', () => {
    expect(sizeFromArgs(new Map([['--machines', '5000'], ['--seat-fraction', '0.5']]), small)).toMatchObject({ machines: 5000, seatFraction: 0.5 });
    expect(() => sizeFromArgs(new Map([['--machines', 'many']]), small)).toThrow('--machines many');
    expect(() => sizeFromArgs(new Map([['--editions', '500']]), small)).toThrow('--editions cannot exceed --titles');
  });
});
