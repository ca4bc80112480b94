import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { decodeAgentBody, parseAgentMessage } from './agent-protocol';
import { AgentBodyReader, readAgentBody, type ReadRequest } from './agent-body-reader';
import { inventoryContent, packedTitleIds, packedTitleRows } from './inventory-content';

const FIXTURES = join(__dirname, '../../../../test/fixtures/agents');
const LIMITS = { maxInflatedBytes: 32 * 1024 * 1024, parse: { maxFieldLength: 1024, maxSoftware: 10_000 } };
const request = (body: Buffer, contentType: string): ReadRequest => ({ body, contentType, ...LIMITS });
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

/** Bodies of every kind the endpoint reads: inventories in both formats, a PROLOG, and refusals. */
const BODIES: Array<[string, ReadRequest]> = [
  ['an OCS inventory (zlib)', request(fixture('ocs-inventory.xml.zlib'), 'application/x-compress')],
  ['a FusionInventory inventory (zlib)', request(fixture('fusioninventory-inventory.xml.zlib'), 'application/x-compress-zlib')],
  ['a GLPI JSON inventory', request(fixture('computer_1.json'), 'application/json')],
  ['a PROLOG', request(fixture('ocs-prolog.xml.zlib'), 'application/x-compress')],
  ['a body declared compressed that is not', request(Buffer.from('<REQUEST/>'), 'application/x-compress')],
  ['malformed XML, compressed', request(deflateSync('<REQUEST><QUERY>INVENTORY</REQUEST>'), 'application/x-compress')],
  ['a DOCTYPE', request(Buffer.from('<!DOCTYPE r [<!ENTITY x "y">]><REQUEST/>'), 'application/xml')],
];

describe('reading agent bodies', () => {
  it('flattens an inventory as the ingest stores it: facts, and its content packed into array literals', () => {
    const read = readAgentBody(request(fixture('fusioninventory-inventory.xml.zlib'), 'application/x-compress-zlib'));
    const parsed = parseAgentMessage(decodeAgentBody(fixture('fusioninventory-inventory.xml.zlib'), 'application/x-compress-zlib', LIMITS), LIMITS.parse);
    if (!('message' in read) || read.message.kind !== 'INVENTORY' || parsed.kind !== 'INVENTORY') throw new Error('expected an inventory');
    const content = inventoryContent(parsed.inventory);
    const { software, ...facts } = parsed.inventory;
    expect(read.decoded).toEqual({ format: 'xml', compression: 'zlib' });
    expect(read.message.inventory).toEqual({ ...facts, softwareCount: software.length });
    expect(read.message.content.checksum).toBe(content.checksum);
    expect(read.message.content.installations.titleIds).toBe(`{${content.installations.map((i) => i.titleId).join(',')}}`);
    expect(read.message.content.installations.osFlags).toBe(`{${content.installations.map((i) => (i.isOperatingSystem ? 't' : 'f')).join(',')}}`);
    expect(read.message.content.installations.arches).toBe(`{${content.installations.map((i) => `"${i.arch}"`).join(',')}}`);
    expect(packedTitleIds(read.message.content)).toEqual(content.titles.map((t) => t.id));
    const some = new Set([content.titles[0].id, content.titles[5].id]);
    expect(packedTitleRows(read.message.content, some)).toEqual([content.titles[0], content.titles[5]]);
  });

  it('answers a refused body with its status and code, and the format it was decoded to', () => {
    expect(readAgentBody(request(deflateSync('<REQUEST><QUERY>INVENTORY</REQUEST>'), 'application/x-compress'))).toEqual({
      decoded: { format: 'xml', compression: 'zlib' },
      refused: { status: 400, code: 'MALFORMED_XML', message: expect.stringMatching(/^The XML is not well-formed/) },
    });
    expect(readAgentBody(request(Buffer.from('<REQUEST/>'), 'application/x-compress'))).toEqual({
      decoded: null,
      refused: { status: 400, code: 'NOT_COMPRESSED', message: expect.any(String) },
    });
  });

  it('gives on a reading thread exactly what it gives inline', async () => {
    const threaded = new AgentBodyReader(1);
    const inline = new AgentBodyReader(0);
    try {
      for (const [, body] of BODIES) {
        // Twice: the second read of an inventory finds its titles in the thread's memory.
        for (let i = 0; i < 2; i += 1) expect(await threaded.read(body)).toEqual(await inline.read(body));
      }
      expect(threaded.threads).toBe(1);
      expect(inline.threads).toBe(0);
    } finally {
      await threaded.close();
    }
  });
});
