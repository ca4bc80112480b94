import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlibConstants, deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import {
  agentBodyHash,
  peekAgentBody,
  AgentProtocolError,
  buildContactReply,
  buildErrorReply,
  buildGlpiOkReply,
  buildInventoryReply,
  buildPrologReply,
  decodeAgentBody,
  encodeGlpiReply,
  maskProductKey,
  parseAgentMessage,
} from './agent-protocol';
import type { AgentInventory, AgentMessage, DecodedAgentBody, ParseLimits } from './agent-protocol';

const FIXTURES = join(__dirname, '../../../../test/fixtures/agents');
const DECODE = { maxInflatedBytes: 10 * 1024 * 1024 };
const PARSE: ParseLimits = { maxFieldLength: 1024, maxSoftware: 5000 };

function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

function decodeAndParse(body: Buffer, contentType: string | undefined, limits: ParseLimits = PARSE): AgentMessage {
  return parseAgentMessage(decodeAgentBody(body, contentType, DECODE), limits);
}

function inventoryOf(message: AgentMessage): AgentInventory {
  if (message.kind !== 'INVENTORY') throw new Error(`expected an INVENTORY, got ${message.kind}`);
  return message.inventory;
}

/** Runs `action` and returns the AgentProtocolError it throws, failing the test if it throws anything else. */
function protocolError(action: () => unknown): AgentProtocolError {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof AgentProtocolError) return error;
    throw error;
  }
  throw new Error('expected an AgentProtocolError');
}

function xmlInventory(content: string, deviceId = '<DEVICEID>test-device-2026-01-01-00-00-00</DEVICEID>'): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST>\n  <CONTENT>${content}</CONTENT>\n  ${deviceId}\n  <QUERY>INVENTORY</QUERY>\n</REQUEST>\n`;
}

function parseXml(xml: string, limits: ParseLimits = PARSE): AgentInventory {
  return inventoryOf(decodeAndParse(Buffer.from(xml, 'utf8'), 'application/xml', limits));
}

/**
 * A zlib stream inflating to `megabytes` MiB of zeros without ever holding them: one 1 MiB block ending on a
 * full flush (byte-aligned, no back-references across it) repeated, then an empty final block and the Adler-32.
 */
function zeroBomb(megabytes: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: zlibConstants.Z_FULL_FLUSH, level: 9 });
  const size = megabytes * 1024 * 1024;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((size % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(megabytes).fill(block), deflateRawSync(Buffer.alloc(0)), adler]);
}

describe('captured agent fixtures', () => {
  it.each([
    'fusioninventory-prolog.xml',
    'fusioninventory-inventory.xml',
    'ocs-prolog.xml',
    'ocs-inventory.xml',
  ])('%s.zlib is the zlib form of %s', (name) => {
    expect(inflateSync(fixture(`${name}.zlib`)).equals(fixture(name))).toBe(true);
  });

  describe('FusionInventory 2.6 (application/x-compress-zlib)', () => {
    it('PROLOG carries the device id and no tag', () => {
      expect(decodeAndParse(fixture('fusioninventory-prolog.xml.zlib'), 'application/x-compress-zlib')).toEqual({
        kind: 'PROLOG',
        deviceId: 'nx-edu-pc042-2026-11-27-07-59-45',
        tag: null,
      });
    });

    it('INVENTORY parses to the machine, its OS and its 830 Debian packages', () => {
      const decoded = decodeAgentBody(fixture('fusioninventory-inventory.xml.zlib'), 'application/x-compress-zlib', DECODE);
      expect(decoded.format).toBe('xml');
      expect(decoded.compression).toBe('zlib');
      const inventory = inventoryOf(parseAgentMessage(decoded, PARSE));
      expect(inventory).toMatchObject({
        source: 'FUSIONINVENTORY',
        deviceId: 'nx-edu-pc042-2026-11-27-07-59-45',
        tag: 'nanxun',
        collectedAt: '2026-11-27T08:00:51.000Z',
        partial: false,
        // Captured inside a container: no DMI, so no uuid or serial, and VMSYSTEM=Docker.
        machine: { uuid: null, serialNumber: null, hostname: 'nx-edu-pc042', kind: 'VIRTUAL', operator: 'zhangwei' },
        operatingSystem: { name: 'Debian GNU/Linux 12 (bookworm)', version: '12.11', publisher: null, arch: 'x86_64' },
        antivirus: [],
        licenseKeys: [],
      });
      expect(inventory.software).toHaveLength(830);
      expect(inventory.software[0]).toEqual({ name: 'adduser', version: '3.134', publisher: 'Debian', arch: 'all' });
      expect(inventory.software).toContainEqual({
        name: 'fusioninventory-agent',
        version: '1:2.6-3',
        publisher: 'Debian',
        arch: 'all',
      });
      expect(inventory.software.at(-1)).toEqual({
        name: 'zstd',
        version: '1.5.4+dfsg2-5',
        publisher: 'Debian',
        arch: 'amd64',
      });
    });
  });

  describe('OCS unix agent 2.10 (application/x-compress)', () => {
    it('PROLOG carries the device id and no tag', () => {
      expect(decodeAndParse(fixture('ocs-prolog.xml.zlib'), 'application/x-compress')).toEqual({
        kind: 'PROLOG',
        deviceId: 'nx-edu-pc042-2026-11-27-08-00-59',
        tag: null,
      });
    });

    it('INVENTORY parses HARDWARE/OSNAME and SOFTWARES/ARCHITECTURE, the OCS spellings', () => {
      const inventory = inventoryOf(decodeAndParse(fixture('ocs-inventory.xml.zlib'), 'application/x-compress'));
      expect(inventory).toMatchObject({
        source: 'OCS',
        deviceId: 'nx-edu-pc042-2026-11-27-08-00-59',
        tag: 'nanxun',
        // The OCS unix agent sends no ACCESSLOG.
        collectedAt: null,
        // Nor a chassis, and it calls the container Physical.
        machine: { uuid: null, serialNumber: null, hostname: 'nx-edu-pc042', kind: 'DESKTOP', operator: null },
        operatingSystem: { name: 'Debian GNU/Linux 12', version: '12', publisher: null, arch: null },
        antivirus: [],
        licenseKeys: [],
      });
      expect(inventory.software).toHaveLength(830);
      expect(inventory.software[0]).toEqual({ name: 'adduser', version: '3.134', publisher: null, arch: 'all' });
      // The OCS agent reports a Debian package's Homepage as its publisher.
      expect(inventory.software).toContainEqual({
        name: 'ocsinventory-agent',
        version: '2:2.10.0-3',
        publisher: 'https://www.ocsinventory-ng.org/',
        arch: 'amd64',
      });
      expect(inventory.software.at(-1)).toEqual({
        name: 'zstd',
        version: '1.5.4+dfsg2-5',
        publisher: 'https://github.com/facebook/zstd',
        arch: 'amd64',
      });
    });
  });

  describe('inventory_format XML test data (FusionInventory, uncompressed)', () => {
    it('Linux laptop hosting VMs: LAPTOP from CHASSIS_TYPE, not VIRTUAL', () => {
      const inventory = parseXml(fixture('glpi-inventory_format-tests-data-1.xml').toString('utf8'));
      expect(inventory).toMatchObject({
        source: 'FUSIONINVENTORY',
        deviceId: 'LF014-2016-06-13-14-03-53',
        tag: 'teclib',
        collectedAt: '2017-06-09T07:00:49.000Z',
        machine: {
          uuid: '0055ADC9-1D3A-E411-8043-B05D95113232',
          serialNumber: '9E113232I',
          hostname: 'LF014',
          kind: 'LAPTOP',
          operator: 'johan',
        },
        operatingSystem: { name: 'Fedora release 25 (Twenty Five)', version: '25', publisher: null, arch: 'x86_64' },
        antivirus: [],
        licenseKeys: [],
      });
      expect(inventory.software).toHaveLength(42);
      expect(inventory.software[0]).toEqual({
        name: 'xerces-j2',
        version: '2.11.0-24.fc24',
        publisher: 'Fedora Project',
        arch: 'noarch',
      });
    });

    it('Mac without ACCOUNTINFO: no tag, Apple as OS publisher', () => {
      const inventory = parseXml(fixture('glpi-inventory_format-tests-data-3.xml').toString('utf8'));
      expect(inventory).toMatchObject({
        deviceId: 'MacBook-de-teclib.local-2016-09-07-09-27-48',
        tag: null,
        collectedAt: '2016-09-07T09:28:29.000Z',
        machine: {
          uuid: '00000000-0000-1000-8000-0017F2D11432',
          serialNumber: 'W87051UGVUV',
          hostname: 'MacBook-de-teclib',
          kind: 'DESKTOP',
          operator: 'teclib',
        },
        operatingSystem: { name: 'Mac OS X', version: '10.6.8 (10K549)', publisher: 'Apple Inc.', arch: 'i386' },
      });
      expect(inventory.software).toHaveLength(40);
      expect(inventory.software[0]).toEqual({ name: 'ContentIndexing', version: '1.2.1', publisher: null, arch: null });
    });

    it('Windows laptop: antivirus and license keys as evidence, keys masked', () => {
      const raw = fixture('glpi-inventory_format-tests-data-12.xml').toString('utf8');
      const inventory = parseXml(raw);
      expect(inventory).toMatchObject({
        deviceId: 'pc-arg-23.cedre.local-2017-04-18-09-26-44',
        tag: '3923',
        collectedAt: '2017-05-15T16:38:07.000Z',
        machine: {
          uuid: '33E737A8-F827-11DF-9297-47C0A301005A',
          serialNumber: 'CZC0479792',
          hostname: 'pc-arg-23',
          kind: 'LAPTOP',
          operator: 'cvigneron',
        },
        operatingSystem: {
          name: 'Microsoft Windows 8.1 Professionnel',
          version: '6.3.9600',
          publisher: 'Microsoft Corporation',
          arch: '64-bit',
        },
      });
      expect(inventory.antivirus).toEqual([
        { name: 'Windows Defender', version: null, publisher: null, enabled: true, upToDate: true },
        { name: 'Kaspersky Endpoint Security 10 for Windows', version: null, publisher: null, enabled: true, upToDate: true },
      ]);
      expect(inventory.licenseKeys).toEqual([
        {
          name: 'Microsoft Office Professionnel 2010',
          productId: '82503-OEM-1190037-27208',
          keyMasked: '*****-*****-*****-*****-7FTGD',
        },
        {
          name: 'Microsoft Windows 8.1 Professionnel',
          productId: '00259-40825-10721-AAOEM',
          keyMasked: '******-******-******-******-**CDEFG',
        },
      ]);
      // Neither full key survives anywhere in the parsed result.
      const serialized = JSON.stringify(inventory);
      expect(raw).toContain('V33KV-CMD8V-6JXQ9-YJP62-7FTGD');
      expect(serialized).not.toContain('V33KV');
      expect(serialized).not.toContain('BCDEFG-BCDEFG');
      expect(inventory.software).toHaveLength(8);
      expect(inventory.software[0]).toEqual({ name: 'CCleaner', version: '5.09', publisher: 'Piriform', arch: 'x86_64' });
    });
  });

  describe('GLPI inventory format JSON', () => {
    it('computer_1.json: tag at the root, timezone-less logdate read as UTC', () => {
      const inventory = inventoryOf(decodeAndParse(fixture('computer_1.json'), 'application/json'));
      expect(inventory).toMatchObject({
        source: 'FUSIONINVENTORY',
        deviceId: 'glpixps-2018-07-09-09-07-13',
        tag: '000005',
        collectedAt: '2020-06-12T12:19:54.000Z',
        partial: false,
        machine: {
          uuid: '4c4c4544-0034-3010-8048-b6c04f503732',
          serialNumber: '640HP72',
          hostname: 'glpixps',
          kind: 'LAPTOP',
          operator: 'root',
        },
        operatingSystem: {
          name: 'Fedora 31 (Workstation Edition)',
          version: '31 (Workstation Edition)',
          publisher: null,
          arch: 'x86_64',
        },
      });
      expect(inventory.software).toHaveLength(6);
      expect(inventory.software[0]).toEqual({
        name: 'gitg',
        version: '3.32.1-1.fc31',
        publisher: 'Fedora Project',
        arch: 'x86_64',
      });
    });

    it('computer_1_partial_softs.json is flagged partial', () => {
      const inventory = inventoryOf(decodeAndParse(fixture('computer_1_partial_softs.json'), 'application/json'));
      expect(inventory.partial).toBe(true);
      expect(inventory.collectedAt).toBeNull();
      expect(inventory.software[0]).toEqual({
        name: 'gitg',
        version: '3.33.0-1.fc31',
        publisher: 'Fedora Project',
        arch: 'x86_64',
      });
    });

    it('computer_2.json: hardware only, no OS and no software', () => {
      const inventory = inventoryOf(decodeAndParse(fixture('computer_2.json'), 'application/json'));
      expect(inventory).toMatchObject({
        deviceId: 'acomputer-2021-01-26-14-32-36',
        tag: null,
        machine: { uuid: '4BDRGGFE-0046-4710-8047-B2C04F503732', serialNumber: '2FAGP34', hostname: 'COMP1', kind: 'LAPTOP' },
        operatingSystem: null,
        software: [],
      });
    });

    it('phone_1.json is refused: a phone is not a Computer', () => {
      const error = protocolError(() => decodeAndParse(fixture('phone_1.json'), 'application/json'));
      expect([error.status, error.code]).toEqual([422, 'UNSUPPORTED_ITEM_TYPE']);
    });

    it.each([
      ['application/x-compress-zlib', deflateSync, 'zlib'],
      ['application/x-compress-gzip', gzipSync, 'gzip'],
    ] as const)('accepts the JSON %s-compressed as the GLPI agent sends it', (contentType, compress, compression) => {
      const decoded = decodeAgentBody(compress(fixture('computer_1.json')), contentType, DECODE);
      expect(decoded.compression).toBe(compression);
      expect(inventoryOf(parseAgentMessage(decoded, PARSE)).software).toHaveLength(6);
    });

    it('accepts raw deflate when declared as such', () => {
      const decoded = decodeAgentBody(deflateRawSync(fixture('computer_2.json')), 'application/x-compress-deflate', DECODE);
      expect(decoded).toMatchObject({ format: 'json', compression: 'deflate' });
    });
  });
});

describe('GLPI agent CONTACT', () => {
  const contact = {
    action: 'contact',
    deviceid: 'nx-edu-pc042-2026-11-27-07-59-45',
    name: 'GLPI-Agent',
    version: '1.7',
    'installed-tasks': ['inventory', 'deploy', 'collect'],
    'enabled-tasks': ['inventory', 'deploy'],
    tag: 'nanxun',
  };

  it('parses into the announced tasks', () => {
    expect(decodeAndParse(deflateSync(JSON.stringify(contact)), 'application/x-compress-zlib')).toEqual({
      kind: 'CONTACT',
      deviceId: 'nx-edu-pc042-2026-11-27-07-59-45',
      tag: 'nanxun',
      agentName: 'GLPI-Agent',
      agentVersion: '1.7',
      installedTasks: ['inventory', 'deploy', 'collect'],
      enabledTasks: ['inventory', 'deploy'],
    });
  });

  it('is answered with inventory on the GLPI protocol and the other tasks disabled', () => {
    const message = decodeAndParse(Buffer.from(JSON.stringify(contact)), 'application/json');
    if (message.kind !== 'CONTACT') throw new Error('expected CONTACT');
    expect(buildContactReply(message)).toEqual({
      status: 'ok',
      expiration: 24,
      tasks: { inventory: { server: 'glpi', version: '10.0' } },
      disabled: ['deploy'],
      message: 'deploy task not supported',
    });
  });
});

describe('replies', () => {
  it('PROLOG: zlib-compressed REPLY with RESPONSE=SEND, as the OCS server answers', () => {
    const reply = buildPrologReply();
    expect(reply.contentType).toBe('application/x-compress');
    // FusionInventory only recognises a compressed answer by these two bytes.
    expect(reply.body.subarray(0, 2).toString('hex')).toBe('789c');
    expect(inflateSync(reply.body).toString('utf8')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<REPLY>\n  <RESPONSE>SEND</RESPONSE>\n  <PROLOG_FREQ>24</PROLOG_FREQ>\n</REPLY>\n',
    );
    expect(inflateSync(buildPrologReply({ prologFreqHours: 12 }).body).toString('utf8')).toContain(
      '<PROLOG_FREQ>12</PROLOG_FREQ>',
    );
  });

  it('INVENTORY: zlib-compressed REPLY with RESPONSE=NO_ACCOUNT_UPDATE', () => {
    const reply = buildInventoryReply();
    expect(reply.contentType).toBe('application/x-compress');
    expect(inflateSync(reply.body).toString('utf8')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<REPLY>\n  <RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE>\n</REPLY>\n',
    );
  });

  it('XML replies follow the request: plain for FusionInventory --no-compression, gzip for gzip agents', () => {
    const plain = buildPrologReply({ compression: 'none' });
    expect(plain.contentType).toBe('application/xml');
    expect(plain.body.toString('utf8')).toBe(inflateSync(buildPrologReply().body).toString('utf8'));
    const gzip = buildInventoryReply({ compression: 'gzip' });
    expect(gzip.contentType).toBe('application/x-compress-gzip');
    expect(gunzipSync(gzip.body).toString('utf8')).toContain('<RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE>');
  });

  it('GLPI replies mirror the request compression', () => {
    const ok = buildGlpiOkReply();
    expect(ok).toEqual({ status: 'ok', expiration: 24 });
    const zlib = encodeGlpiReply(ok, 'zlib');
    expect(zlib.contentType).toBe('application/x-compress-zlib');
    expect(JSON.parse(inflateSync(zlib.body).toString('utf8'))).toEqual(ok);
    const gzip = encodeGlpiReply(ok, 'gzip');
    expect(gzip.contentType).toBe('application/x-compress-gzip');
    expect(JSON.parse(gunzipSync(gzip.body).toString('utf8'))).toEqual(ok);
    const plain = encodeGlpiReply(ok, 'none');
    expect(plain.contentType).toBe('application/json');
    expect(plain.body.toString('utf8')).toBe('{"status":"ok","expiration":24}');
  });

  it('errors: JSON for the GLPI protocol, plain text for XML agents', () => {
    const error = new AgentProtocolError(422, 'MISSING_DEVICE_ID', 'The message has no deviceid');
    const json = buildErrorReply(error, { format: 'json', compression: 'none' });
    expect(JSON.parse(json.body.toString('utf8'))).toEqual({
      status: 'error',
      message: 'The message has no deviceid',
      expiration: 24,
    });
    const text = buildErrorReply(error, null);
    expect(text.contentType).toBe('text/plain; charset=utf-8');
    expect(text.body.toString('utf8')).toBe('MISSING_DEVICE_ID: The message has no deviceid\n');
  });
});

describe('bad input', () => {
  const prolog = fixture('ocs-prolog.xml');
  const prologZlib = fixture('ocs-prolog.xml.zlib');

  it.each<[string, () => unknown, number, string]>([
    ['an empty body', () => decodeAgentBody(Buffer.alloc(0), 'application/x-compress', DECODE), 400, 'EMPTY_BODY'],
    [
      'plain XML declared as application/x-compress',
      () => decodeAgentBody(prolog, 'application/x-compress', DECODE),
      400,
      'NOT_COMPRESSED',
    ],
    [
      'plain XML declared as application/x-compress-zlib',
      () => decodeAgentBody(prolog, 'application/x-compress-zlib', DECODE),
      400,
      'NOT_COMPRESSED',
    ],
    [
      'a truncated zlib stream',
      () => decodeAgentBody(prologZlib.subarray(0, prologZlib.length - 20), 'application/x-compress', DECODE),
      400,
      'TRUNCATED_COMPRESSED_BODY',
    ],
    [
      'a zlib stream with a bad checksum',
      () => {
        const corrupt = Buffer.from(prologZlib);
        corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
        return decodeAgentBody(corrupt, 'application/x-compress', DECODE);
      },
      400,
      'CORRUPT_COMPRESSED_BODY',
    ],
    [
      'a body that is neither XML nor JSON',
      () => decodeAgentBody(Buffer.from('QUERY=PROLOG&DEVICEID=x'), undefined, DECODE),
      415,
      'UNKNOWN_BODY_FORMAT',
    ],
    [
      'binary junk',
      () => decodeAgentBody(Buffer.from([0x00, 0xff, 0x13, 0x37]), 'application/octet-stream', DECODE),
      415,
      'UNKNOWN_BODY_FORMAT',
    ],
    [
      'a compressed body that is neither XML nor JSON',
      () => decodeAgentBody(deflateSync(Buffer.from('hello agent')), 'application/x-compress', DECODE),
      415,
      'UNKNOWN_BODY_FORMAT',
    ],
    [
      'an unsupported content type',
      () => decodeAgentBody(prolog, 'multipart/form-data; boundary=x', DECODE),
      415,
      'UNSUPPORTED_CONTENT_TYPE',
    ],
    [
      'a body that is not UTF-8',
      () => decodeAgentBody(Buffer.from([0x3c, 0x52, 0xff, 0xfe, 0x3e]), 'application/xml', DECODE),
      400,
      'INVALID_ENCODING',
    ],
  ])('%s', (_label, action, status, code) => {
    const error = protocolError(action);
    expect([error.status, error.code]).toEqual([status, code]);
  });

  it('a 200 MiB zlib bomb stops at the 10 MiB cap, long before its end', () => {
    // Without its end marker and checksum: inflated to the end, it would fail as truncated (400). The 413 says
    // inflation stopped at the cap, without timing it (a wall-clock bound flaked on a busy machine).
    const whole = zeroBomb(200);
    const bomb = whole.subarray(0, whole.length - deflateRawSync(Buffer.alloc(0)).length - 4);
    expect(bomb.length).toBeLessThan(300 * 1024);
    const error = protocolError(() => decodeAgentBody(bomb, 'application/x-compress-zlib', DECODE));
    expect([error.status, error.code]).toEqual([413, 'INFLATED_TOO_LARGE']);
    expect(error.message).toBe('The body inflates to more than 10485760 bytes; inflation was stopped at the limit');
  });

  it('an uncompressed body over the cap is refused too', () => {
    const error = protocolError(() => decodeAgentBody(prolog, 'application/xml', { maxInflatedBytes: 64 }));
    expect([error.status, error.code]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  it.each<[string, string, number, string]>([
    ['a DOCTYPE', '<?xml version="1.0"?>\n<!DOCTYPE REQUEST SYSTEM "http://127.0.0.1/x.dtd">\n<REQUEST/>', 400, 'XML_DTD_FORBIDDEN'],
    [
      'an external entity (XXE)',
      '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<REQUEST><DEVICEID>&x;</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>',
      400,
      'XML_ENTITY_FORBIDDEN',
    ],
    [
      'an entity expansion bomb',
      '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><REQUEST><DEVICEID>&b;</DEVICEID></REQUEST>',
      400,
      'XML_ENTITY_FORBIDDEN',
    ],
    ['malformed XML', '<REQUEST><DEVICEID>x</REQUEST>', 400, 'MALFORMED_XML'],
    ['another root element', '<REPLY><RESPONSE>SEND</RESPONSE></REPLY>', 422, 'INVALID_STRUCTURE'],
    ['a missing DEVICEID', '<REQUEST><QUERY>PROLOG</QUERY></REQUEST>', 422, 'MISSING_DEVICE_ID'],
    ['a blank DEVICEID', '<REQUEST><DEVICEID>  </DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>', 422, 'MISSING_DEVICE_ID'],
    ['an INVENTORY without CONTENT', '<REQUEST><DEVICEID>d</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>', 422, 'INVALID_STRUCTURE'],
    ['another QUERY', '<REQUEST><DEVICEID>d</DEVICEID><QUERY>SNMPQUERY</QUERY></REQUEST>', 422, 'UNSUPPORTED_QUERY'],
    ['malformed JSON', '{"deviceid": "d", ', 400, 'MALFORMED_JSON'],
    ['a JSON message without deviceid', '{"action":"inventory","content":{"versionclient":"GLPI-Agent_v1.7"}}', 422, 'MISSING_DEVICE_ID'],
    ['another JSON action', '{"action":"netdiscovery","deviceid":"d","content":{}}', 422, 'UNSUPPORTED_ACTION'],
    ['a JSON inventory without content', '{"action":"inventory","deviceid":"d"}', 422, 'INVALID_STRUCTURE'],
  ])('%s', (_label, text, status, code) => {
    const error = protocolError(() => decodeAndParse(Buffer.from(text, 'utf8'), undefined));
    expect([error.status, error.code]).toEqual([status, code]);
  });

  it('an over-long field is named, without its value', () => {
    const longName = 'x'.repeat(300);
    const xml = xmlInventory(
      `<SOFTWARES><NAME>ok</NAME></SOFTWARES><SOFTWARES><NAME>${longName}</NAME></SOFTWARES>`,
    );
    const error = protocolError(() => parseXml(xml, { maxFieldLength: 255, maxSoftware: 10 }));
    expect([error.status, error.code]).toEqual([422, 'FIELD_TOO_LONG']);
    expect(error.message).toBe('CONTENT/SOFTWARES[1]/NAME is 300 characters long; at most 255 are accepted');

    const json = JSON.stringify({ deviceid: 'd', content: { hardware: { name: longName } } });
    const jsonError = protocolError(() =>
      decodeAndParse(Buffer.from(json), 'application/json', { maxFieldLength: 255, maxSoftware: 10 }),
    );
    expect(jsonError.message).toBe('content.hardware.name is 300 characters long; at most 255 are accepted');
  });

  it('too many software entries', () => {
    const error = protocolError(() =>
      decodeAndParse(fixture('fusioninventory-inventory.xml.zlib'), 'application/x-compress-zlib', {
        maxFieldLength: 1024,
        maxSoftware: 500,
      }),
    );
    expect([error.status, error.code]).toEqual([422, 'TOO_MANY_SOFTWARE']);
    expect(error.message).toBe('The inventory lists 830 software entries; at most 500 are accepted');
  });

  it('a field holding elements instead of text', () => {
    const error = protocolError(() => parseXml(xmlInventory('<HARDWARE><NAME><X>1</X></NAME></HARDWARE>')));
    expect([error.status, error.code, error.message]).toEqual([
      422,
      'INVALID_FIELD',
      'CONTENT/HARDWARE/NAME must be a single text value',
    ]);
  });
});

describe('XML details', () => {
  it('one SOFTWARES element is a list of one; empty fields are null; duplicates are dropped', () => {
    const one = parseXml(xmlInventory('<SOFTWARES><NAME>7-Zip</NAME><VERSION> </VERSION><PUBLISHER/></SOFTWARES>'));
    expect(one.software).toEqual([{ name: '7-Zip', version: null, publisher: null, arch: null }]);

    const entry = '<SOFTWARES><NAME>WPS Office</NAME><VERSION>11.1</VERSION><PUBLISHER>Kingsoft</PUBLISHER></SOFTWARES>';
    const many = parseXml(xmlInventory(`${entry}${entry}<SOFTWARES><NAME>WPS Office</NAME><VERSION>11.2</VERSION></SOFTWARES><SOFTWARES><VERSION>1</VERSION></SOFTWARES>`));
    expect(many.software).toEqual([
      { name: 'WPS Office', version: '11.1', publisher: 'Kingsoft', arch: null },
      { name: 'WPS Office', version: '11.2', publisher: null, arch: null },
    ]);
  });

  it('decodes the predefined entities and character references, and only those', () => {
    const inventory = parseXml(
      xmlInventory('<SOFTWARES><NAME>AT&amp;T &lt;Connect&gt; &#8482; &#x4E2D;&#25991;</NAME><PUBLISHER>&nbsp;</PUBLISHER></SOFTWARES>'),
    );
    expect(inventory.software[0]).toEqual({ name: 'AT&T <Connect> ™ 中文', version: null, publisher: '&nbsp;', arch: null });
  });

  it('tolerates a UTF-8 BOM and decodes a declared ISO-8859-1 body', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('ocs-prolog.xml')]);
    expect(decodeAndParse(deflateSync(bom), 'application/x-compress')).toMatchObject({ kind: 'PROLOG' });

    const latin1 = Buffer.from(
      xmlInventory('<SOFTWARES><NAME>Logiciel \u00e9t\u00e9</NAME></SOFTWARES>').replace('UTF-8', 'ISO-8859-1'),
      'latin1',
    );
    expect(inventoryOf(decodeAndParse(latin1, 'application/xml')).software[0]?.name).toBe('Logiciel \u00e9t\u00e9');
  });

  it('reads TAG among several ACCOUNTINFO entries; a missing QUERY means INVENTORY', () => {
    const xml = `<REQUEST><DEVICEID>d</DEVICEID><CONTENT><ACCOUNTINFO><KEYNAME>ASSET</KEYNAME><KEYVALUE>A-1</KEYVALUE></ACCOUNTINFO><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>luonan-county</KEYVALUE></ACCOUNTINFO></CONTENT></REQUEST>`;
    expect(parseXml(xml).tag).toBe('luonan-county');
  });

  it('shifts LOGDATE by the reported timezone offset and drops impossible dates', () => {
    const at = (logdate: string, offset: string): string | null =>
      parseXml(
        xmlInventory(
          `<ACCESSLOG><LOGDATE>${logdate}</LOGDATE></ACCESSLOG><OPERATINGSYSTEM><FULL_NAME>Windows 10</FULL_NAME><TIMEZONE><NAME>CST</NAME><OFFSET>${offset}</OFFSET></TIMEZONE></OPERATINGSYSTEM>`,
        ),
      ).collectedAt;
    expect(at('2024-03-01 08:30:00', '+0800')).toBe('2024-03-01T00:30:00.000Z');
    expect(at('2024-03-01 08:30:00', '-0500')).toBe('2024-03-01T13:30:00.000Z');
    expect(at('2024-02-30 08:30:00', '+0800')).toBeNull();
    expect(at('Thu Jun 8 07:41', '+0800')).toBeNull();
  });

  it.each<[string, string, string]>([
    ['<HARDWARE><CHASSIS_TYPE>Notebook</CHASSIS_TYPE></HARDWARE>', '', 'LAPTOP'],
    ['<HARDWARE><CHASSIS_TYPE>Convertible</CHASSIS_TYPE></HARDWARE>', '', 'LAPTOP'],
    ['<HARDWARE><CHASSIS_TYPE>Mini Tower</CHASSIS_TYPE></HARDWARE>', '', 'DESKTOP'],
    ['<HARDWARE><CHASSIS_TYPE>Rack Mount Chassis</CHASSIS_TYPE></HARDWARE>', '', 'SERVER'],
    ['<BIOS><TYPE>Notebook</TYPE></BIOS>', '', 'LAPTOP'],
    ['<BIOS><MTYPE>17</MTYPE></BIOS>', '', 'SERVER'],
    ['<HARDWARE><VMSYSTEM>VMware</VMSYSTEM><CHASSIS_TYPE>Desktop</CHASSIS_TYPE></HARDWARE>', '', 'VIRTUAL'],
    ['<BIOS><SMANUFACTURER>QEMU</SMANUFACTURER><SMODEL>Standard PC (Q35 + ICH9, 2009)</SMODEL></BIOS>', '', 'VIRTUAL'],
    ['<HARDWARE><VMSYSTEM>Physical</VMSYSTEM><CHASSIS_TYPE>Other</CHASSIS_TYPE></HARDWARE>', 'Microsoft Windows Server 2019 Standard', 'SERVER'],
    ['<HARDWARE><VMSYSTEM>Physical</VMSYSTEM></HARDWARE>', 'Microsoft Windows 10 Pro', 'DESKTOP'],
  ])('machine kind of %s with OS "%s" is %s', (section, osName, kind) => {
    const os = osName === '' ? '' : `<OPERATINGSYSTEM><FULL_NAME>${osName}</FULL_NAME></OPERATINGSYSTEM>`;
    expect(parseXml(xmlInventory(`${section}${os}`)).machine.kind).toBe(kind);
  });

  it('drops placeholder serials and uuids', () => {
    const machine = parseXml(
      xmlInventory(
        '<BIOS><SSN>To Be Filled By O.E.M.</SSN></BIOS><HARDWARE><UUID>00000000-0000-0000-0000-000000000000</UUID></HARDWARE>',
      ),
    ).machine;
    expect([machine.serialNumber, machine.uuid]).toEqual([null, null]);
  });
});

describe('maskProductKey', () => {
  it('keeps separators and the last five letters or digits', () => {
    expect(maskProductKey('V33KV-CMD8V-6JXQ9-YJP62-7FTGD')).toBe('*****-*****-*****-*****-7FTGD');
    expect(maskProductKey('7FTGD')).toBe('7FTGD');
    expect(maskProductKey(null)).toBeNull();
  });
});

describe('decodeAgentBody', () => {
  it('sniffs zlib whatever the declared type, and leaves plain bodies alone', () => {
    const zlib: DecodedAgentBody = decodeAgentBody(fixture('ocs-prolog.xml.zlib'), 'application/xml', DECODE);
    expect(zlib).toEqual({ format: 'xml', text: fixture('ocs-prolog.xml').toString('utf8'), compression: 'zlib' });
    expect(decodeAgentBody(fixture('computer_2.json'), undefined, DECODE)).toMatchObject({
      format: 'json',
      compression: 'none',
    });
  });
});

describe('recognising a re-sent body before decoding it', () => {
  const xml = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<REQUEST><QUERY>INVENTORY</QUERY></REQUEST>', 'utf8');
  const json = Buffer.from('{"action":"inventory","deviceid":"d"}', 'utf8');

  it('tells format and compression from the first bytes alone', () => {
    const big = Buffer.concat([xml, Buffer.alloc(200_000, 0x20)]);
    expect(peekAgentBody(deflateSync(big), 'application/x-compress')).toEqual({ format: 'xml', compression: 'zlib' });
    expect(peekAgentBody(gzipSync(json), 'application/x-compress-gzip')).toEqual({ format: 'json', compression: 'gzip' });
    expect(peekAgentBody(deflateRawSync(json), 'application/x-compress-deflate')).toEqual({ format: 'json', compression: 'deflate' });
    expect(peekAgentBody(xml, 'application/xml')).toEqual({ format: 'xml', compression: 'none' });
    expect(peekAgentBody(Buffer.from('junk'), undefined)).toBeNull();
  });

  it('hashes the declared media type with the bytes', () => {
    const body = deflateSync(xml);
    expect(agentBodyHash(body, 'application/x-compress')).toBe(agentBodyHash(body, 'Application/X-Compress; charset=binary'));
    expect(agentBodyHash(body, 'application/x-compress')).not.toBe(agentBodyHash(body, 'application/x-compress-deflate'));
    expect(agentBodyHash(body, 'application/x-compress')).toMatch(/^[0-9a-f]{64}$/);
  });
});
