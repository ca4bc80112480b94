import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants as zlibConstants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import type { RunningServer } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { startGateway } from '@genuine/gateway';
import { AGENT_FIXTURES, postAgent, retaggedFixture, run } from './support/agent-client';
import { startStackWithSubgraphs, type StackWithSubgraphs } from './support/gateways';
import { gql, TEST_ADMIN_TOKEN, type RunningStack } from './support/stack';

/*
 * The agent endpoint end to end: the real `npm start` entry point in a child process, agents' requests through the
 * gateway's /ocsinventory (handed to the audit service in memory, as in one process), results read back through
 * GraphQL. A second gateway here relays the same requests over HTTP, as the deployed gateway does, and must answer
 * alike. The captured fixtures replay what the agents send; the last block runs the real Debian agents
 * (fusioninventory-agent, ocsinventory-agent) when installed.
 */

let stack: RunningStack;
let subgraphs: StackWithSubgraphs;
/** A gateway over the same subgraphs that relays /ocsinventory to the audit service over HTTP. */
let relaying: RunningServer;

beforeAll(async () => {
  subgraphs = await startStackWithSubgraphs();
  stack = subgraphs.stack;
  relaying = await startGateway(subgraphs.gatewayOptions(), 0, '127.0.0.1');
}, 90_000);
afterAll(async () => {
  await relaying?.stop();
  await subgraphs?.stop();
});

async function createUnit(prefix: string): Promise<string> {
  const code = uniqueCode(prefix);
  const res = await gql(stack.graphqlUrl, `mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { id } }`, {
    input: { code, name: `Unit ${code}`, kind: 'DEPARTMENT' },
  });
  expect(res.body.errors).toBeUndefined();
  return code;
}

interface MachineView {
  id: string;
  hostname: string | null;
  kind: string;
  lastInventoryAt: string | null;
  installations: { totalCount: number; edges: Array<{ node: { rawName: string; rawVersion: string | null; operatingSystem: boolean; firstSeenAt: string; lastSeenAt: string; edition: { id: string; name: string; product: { category: string } } | null } }> };
  inventoryReports: { edges: Array<{ node: { source: string; outcome: string; softwareCount: number } }> };
}

// Two operations, each under the gateway's cost limit: the unit's machines, then each one's inventory view.
const MACHINES = `query($code: String!) { machines(first: 10, filter: { orgUnitCode: $code, includeDescendants: false }) {
  edges { node { id hostname kind lastInventoryAt inventoryReports(first: 10) { edges { node { source outcome softwareCount } } } } } } }`;
const INSTALLATIONS = `query($id: ID!) { machine(id: $id) {
  installations(first: 500) { totalCount edges { node { rawName rawVersion operatingSystem firstSeenAt lastSeenAt edition { id name product { category } } } } } } }`;

async function machinesOf(code: string): Promise<MachineView[]> {
  const res = await gql<{ machines: { edges: Array<{ node: Omit<MachineView, 'installations'> }> } }>(stack.graphqlUrl, MACHINES, { code });
  expect(res.body.errors).toBeUndefined();
  const machines = res.body.data?.machines.edges.map((e) => e.node) ?? [];
  return Promise.all(
    machines.map(async (machine) => {
      const detail = await gql<{ machine: Pick<MachineView, 'installations'> }>(stack.graphqlUrl, INSTALLATIONS, { id: machine.id });
      expect(detail.body.errors).toBeUndefined();
      return { ...machine, installations: detail.body.data?.machine.installations ?? { totalCount: 0, edges: [] } };
    }),
  );
}

const outcomes = (m: MachineView) => m.inventoryReports.edges.map((e) => e.node.outcome);
const fixture = (file: string) => readFileSync(path.join(AGENT_FIXTURES, file));

/** An inventory_format XML fixture with its own identity (fresh UUIDs and serials) and the test's TAG. */
function uniqueXmlFixture(file: string, tag: string): Buffer {
  let xml = fixture(file).toString('utf8');
  xml = xml.replace(/<UUID>[^<]*<\/UUID>/g, () => `<UUID>${randomUUID()}</UUID>`).replace(/<SSN>[^<]*<\/SSN>/g, () => `<SSN>${uniqueCode('SN')}</SSN>`);
  xml = /<KEYNAME>TAG<\/KEYNAME>/.test(xml)
    ? xml.replace(/(<KEYNAME>TAG<\/KEYNAME>\s*<KEYVALUE>)[^<]*(<\/KEYVALUE>)/, `$1${tag}$2`)
    : xml.replace('<CONTENT>', `<CONTENT><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${tag}</KEYVALUE></ACCOUNTINFO>`);
  return deflateSync(Buffer.from(xml, 'utf8'));
}

/** A GLPI JSON fixture with its own identity and the test's TAG. */
function uniqueJsonFixture(file: string, tag: string): Record<string, unknown> {
  const json = JSON.parse(fixture(file).toString('utf8')) as { tag?: string; deviceid: string; content: { hardware?: { uuid?: string }; bios?: { ssn?: string } } };
  json.tag = tag;
  json.deviceid = uniqueCode('glpi-device');
  if (json.content.hardware) json.content.hardware.uuid = randomUUID();
  if (json.content.bios) json.content.bios.ssn = uniqueCode('SN');
  return json;
}

describe('the agent endpoint', () => {
  it('challenges requests without valid credentials with 401 Basic realm="Genuine", before looking at the body', async () => {
    for (const password of [null, 'wrong-password-0123456789']) {
      for (const body of [fixture('fusioninventory-prolog.xml.zlib'), Buffer.from('not even compressed')]) {
        const res = await postAgent(stack.baseUrl, body, { password });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="Genuine"');
      }
    }
  });

  it('answers a PROLOG with SEND, then stores and acknowledges the INVENTORY (FusionInventory and OCS captures)', async () => {
    const unit = await createUnit('nx-fixtures');
    const prolog = await postAgent(stack.baseUrl, fixture('fusioninventory-prolog.xml.zlib'));
    expect(prolog.status).toBe(200);
    expect(prolog.text).toContain('<RESPONSE>SEND</RESPONSE>');
    expect((await postAgent(stack.baseUrl, fixture('ocs-prolog.xml.zlib'), { contentType: 'application/x-compress' })).text).toContain('<RESPONSE>SEND</RESPONSE>');

    const fusion = retaggedFixture('fusioninventory-inventory.xml', unit);
    const stored = await postAgent(stack.baseUrl, fusion);
    expect({ status: stored.status, text: stored.text }).toEqual({ status: 200, text: expect.stringContaining('<RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE>') });

    let [machine] = await machinesOf(unit);
    expect(machine).toMatchObject({ hostname: 'nx-edu-pc042', kind: 'VIRTUAL', installations: { totalCount: 831 } });
    expect(machine.lastInventoryAt).not.toBeNull();
    const osInstall = machine.installations.edges.find((e) => e.node.operatingSystem)?.node;
    expect(osInstall).toMatchObject({ rawName: 'Debian GNU/Linux 12 (bookworm)', edition: { name: expect.stringMatching(/Debian/), product: { category: 'OPERATING_SYSTEM' } } });

    // The identical body again: nothing changes but the last-seen time.
    expect((await postAgent(stack.baseUrl, fusion)).status).toBe(200);
    const [again] = await machinesOf(unit);
    expect(again.installations).toEqual(machine.installations);
    expect(outcomes(again)).toEqual(['UNCHANGED', 'APPLIED']);

    // The OCS agent on the same host: the same machine (host name within the unit), its own view of the software.
    const ocs = await postAgent(stack.baseUrl, retaggedFixture('ocs-inventory.xml', unit), { contentType: 'application/x-compress' });
    expect(ocs.status).toBe(200);
    [machine] = await machinesOf(unit);
    expect(outcomes(machine)).toEqual(['APPLIED', 'UNCHANGED', 'APPLIED']);
    expect(machine.inventoryReports.edges[0].node).toMatchObject({ source: 'OCS', softwareCount: 830 });
    expect(machine.installations.totalCount).toBe(831);
  });

  it('speaks the GLPI JSON protocol: CONTACT, inventory compressed or not, and JSON answers', async () => {
    const unit = await createUnit('glpi');
    const contact = await postAgent(
      stack.baseUrl,
      JSON.stringify({ action: 'contact', deviceid: uniqueCode('glpi'), name: 'GLPI-Agent', version: '1.7', 'installed-tasks': ['inventory', 'deploy'], 'enabled-tasks': ['inventory', 'deploy'], tag: unit }),
      { contentType: 'application/json', headers: { 'glpi-agent-id': randomUUID() } },
    );
    expect(contact.status).toBe(200);
    expect(JSON.parse(contact.text)).toEqual({ status: 'ok', expiration: 24, tasks: { inventory: { server: 'glpi', version: '10.0' } }, disabled: ['deploy'], message: 'deploy task not supported' });

    const legacyProlog = await postAgent(stack.baseUrl, fixture('fusioninventory-prolog.xml.zlib'), { headers: { 'glpi-agent-id': randomUUID() } });
    expect(legacyProlog.headers.get('content-type')).toBe('application/x-compress-zlib');
    expect(JSON.parse(legacyProlog.text)).toEqual({ status: 'ok', expiration: 24 });

    const plain = await postAgent(stack.baseUrl, JSON.stringify(uniqueJsonFixture('computer_1.json', unit)), { contentType: 'application/json' });
    expect({ status: plain.status, body: JSON.parse(plain.text) }).toEqual({ status: 200, body: { status: 'ok', expiration: 24 } });
    const compressed = await postAgent(stack.baseUrl, deflateSync(JSON.stringify(uniqueJsonFixture('computer_2.json', unit))), { contentType: 'application/x-compress-zlib' });
    expect(compressed.status).toBe(200);
    expect(compressed.headers.get('content-type')).toBe('application/x-compress-zlib');

    // computer_1: Fedora 31 with 6 packages; computer_2: hardware only, no software and no OS section.
    const machines = await machinesOf(unit);
    expect(machines.map((m) => [m.hostname, m.installations.totalCount, m.installations.edges.filter((e) => e.node.operatingSystem).length])).toEqual([
      ['COMP1', 0, 0],
      ['glpixps', 7, 1],
    ]);
    // The source comes from VERSIONCLIENT: both examples were produced by FusionInventory agents in GLPI's format.
    expect(machines.map((m) => m.inventoryReports.edges[0].node)).toEqual([
      { source: 'FUSIONINVENTORY', outcome: 'APPLIED', softwareCount: 0 },
      { source: 'FUSIONINVENTORY', outcome: 'APPLIED', softwareCount: 6 },
    ]);
  });

  it('stores the inventory_format reference inventories, with antivirus and masked license keys as evidence', async () => {
    const unit = await createUnit('ref');
    for (const file of ['glpi-inventory_format-tests-data-1.xml', 'glpi-inventory_format-tests-data-3.xml', 'glpi-inventory_format-tests-data-12.xml']) {
      const res = await postAgent(stack.baseUrl, uniqueXmlFixture(file, unit));
      expect({ file, status: res.status }).toEqual({ file, status: 200 });
    }
    const machines = await machinesOf(unit);
    expect(machines).toHaveLength(3);
    const res = await gql<{ machines: { edges: Array<{ node: { antivirusEvidence: Array<{ name: string }>; licenseKeyEvidence: Array<{ keyMasked: string | null }>; reportedOperatingSystem: string | null } }> } }>(
      stack.graphqlUrl,
      `query($code: String!) { machines(first: 10, filter: { orgUnitCode: $code }) { edges { node { reportedOperatingSystem antivirusEvidence { name enabled upToDate } licenseKeyEvidence { name productId keyMasked } } } } }`,
      { code: unit },
    );
    const nodes = res.body.data?.machines.edges.map((e) => e.node) ?? [];
    const windows = nodes.find((n) => n.antivirusEvidence.length > 0);
    expect(windows?.reportedOperatingSystem).toMatch(/Windows/);
    expect(windows?.licenseKeyEvidence.length).toBeGreaterThan(0);
    for (const key of windows?.licenseKeyEvidence ?? []) expect((key.keyMasked ?? '').replace(/[^0-9A-Za-z]/g, '').length).toBeLessThanOrEqual(5);
  });

  describe('refuses bad input with a clear 4xx within two seconds, stores nothing, and keeps serving', () => {
    const bomb = () => {
      const block = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: zlibConstants.Z_FULL_FLUSH, level: 9 });
      const blocks = Array.from({ length: 64 }, () => block);
      // zlib header, 64 MiB of zeros in raw deflate blocks, an empty final block; the checksum never matters.
      return Buffer.concat([Buffer.from([0x78, 0x9c]), ...blocks, Buffer.from([0x03, 0x00]), Buffer.alloc(4)]);
    };
    const inventoryXml = (content: string, tag: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><REQUEST><CONTENT><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${tag}</KEYVALUE></ACCOUNTINFO><HARDWARE><NAME>${uniqueCode('bad')}</NAME></HARDWARE>${content}</CONTENT><DEVICEID>${uniqueCode('dev')}</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`;
    let unit: string;
    beforeAll(async () => {
      unit = await createUnit('bad-input');
    });

    const cases: Array<[string, () => { body: Buffer; contentType?: string }, number, RegExp]> = [
      ['a body declared zlib that is not', () => ({ body: Buffer.from(inventoryXml('', unit)) }), 400, /NOT_COMPRESSED/],
      ['truncated zlib', () => ({ body: deflateSync(Buffer.from(inventoryXml('', unit))).subarray(0, 60) }), 400, /TRUNCATED_COMPRESSED_BODY/],
      ['neither XML nor JSON', () => ({ body: deflateSync(Buffer.from('hello agent')) }), 415, /UNKNOWN_BODY_FORMAT/],
      ['a DTD', () => ({ body: deflateSync(Buffer.from(`<?xml version="1.0"?><!DOCTYPE REQUEST SYSTEM "http://example.invalid/x.dtd"><REQUEST/>`)) }), 400, /XML_DTD_FORBIDDEN/],
      ['an entity declaration', () => ({ body: deflateSync(Buffer.from(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><REQUEST>&b;</REQUEST>`)) }), 400, /XML_ENTITY_FORBIDDEN/],
      ['a decompression bomb', () => ({ body: bomb() }), 413, /INFLATED_TOO_LARGE/],
      ['gzip declared as zlib that is corrupt', () => ({ body: gzipSync(Buffer.from(inventoryXml('', unit))).subarray(0, 30), contentType: 'application/x-compress-gzip' }), 400, /COMPRESSED_BODY/],
      ['an over-long field', () => ({ body: deflateSync(Buffer.from(inventoryXml(`<SOFTWARES><NAME>${'x'.repeat(5000)}</NAME></SOFTWARES>`, unit))) }), 422, /FIELD_TOO_LONG/],
      ['a TAG naming no unit', () => ({ body: deflateSync(Buffer.from(inventoryXml('', uniqueCode('nowhere')))) }), 422, /UNKNOWN_ORG_UNIT/],
      ['malformed XML', () => ({ body: deflateSync(Buffer.from('<REQUEST><CONTENT></REQUEST>')) }), 400, /MALFORMED_XML/],
      ['malformed JSON', () => ({ body: Buffer.from('{"action": "inventory", '), contentType: 'application/json' }), 400, /"status":"error","message":"The JSON is not well-formed"/],
      ['an unsupported content type', () => ({ body: Buffer.from('x'), contentType: 'image/png' }), 415, /UNSUPPORTED_CONTENT_TYPE/],
    ];
    it.each(cases)('%s', async (_name, make, status, message) => {
      const { body, contentType } = make();
      const res = await postAgent(stack.baseUrl, body, { contentType });
      expect({ status: res.status, text: res.text }).toEqual({ status, text: expect.stringMatching(message) });
      expect(res.ms).toBeLessThan(2000);
      expect(res.text).not.toMatch(/at .*\.ts|select |insert /i);
    });

    it('answers each of them alike when the gateway relays it over HTTP', async () => {
      const relayUrl = relaying.url.replace(/\/graphql$/, '');
      for (const [name, make] of cases) {
        const { body, contentType } = make();
        const inProcess = await postAgent(stack.baseUrl, body, { contentType });
        const relayed = await postAgent(relayUrl, body, { contentType });
        const seen = (r: typeof inProcess) => ({ name, status: r.status, contentType: r.headers.get('content-type'), text: r.text });
        expect(seen(relayed)).toEqual(seen(inProcess));
      }
      for (const password of [null, 'wrong-password-0123456789']) {
        const inProcess = await postAgent(stack.baseUrl, 'x', { password });
        const relayed = await postAgent(relayUrl, 'x', { password });
        const seen = (r: typeof inProcess) => ({ status: r.status, challenge: r.headers.get('www-authenticate'), text: r.text });
        expect(seen(relayed)).toEqual(seen(inProcess));
      }
      const get = async (base: string) => {
        const res = await fetch(`${base}/ocsinventory`);
        return { status: res.status, text: await res.text() };
      };
      expect(await get(relayUrl)).toEqual(await get(stack.baseUrl));
      // An inventory through the relay, then the same body again through the in-process hand-over: both stored
      // as one machine (APPLIED, then an identical re-send), both acknowledged alike.
      const relayUnit = await createUnit('relay');
      const good = deflateSync(Buffer.from(inventoryXml('<SOFTWARES><NAME>Relayed Tool</NAME><VERSION>2</VERSION></SOFTWARES>', relayUnit)));
      const viaRelay = await postAgent(relayUrl, good);
      const viaMemory = await postAgent(stack.baseUrl, good);
      expect({ status: viaRelay.status, text: viaRelay.text }).toEqual({ status: viaMemory.status, text: viaMemory.text });
      expect(viaRelay.status).toBe(200);
      const [machine] = await machinesOf(relayUnit);
      expect(outcomes(machine)).toEqual(['UNCHANGED', 'APPLIED']);
      expect(machine.installations.edges.map((e) => e.node.rawName)).toEqual(['Relayed Tool']);
    });

    it('wrote nothing for any of them, and still stores a good inventory', async () => {
      expect(await machinesOf(unit)).toEqual([]);
      const good = await postAgent(stack.baseUrl, deflateSync(Buffer.from(inventoryXml('<SOFTWARES><NAME>Good Tool</NAME><VERSION>1</VERSION></SOFTWARES>', unit))));
      expect(good.status).toBe(200);
      const [machine] = await machinesOf(unit);
      expect(machine.installations.edges.map((e) => e.node.rawName)).toEqual(['Good Tool']);
    });
  });
});

describe('normalization through the gateway', () => {
  it('recognizes, adds and removes rules, and lists the unrecognized titles most frequent first', async () => {
    const unit = await createUnit('norm');
    const title = uniqueCode('Acme Gadget');
    const other = uniqueCode('Acme Gizmo');
    for (const [host, titles] of [['n1', [title, other]], ['n2', [title]]] as const) {
      const soft = titles.map((t) => `<SOFTWARES><NAME>${t}</NAME><VERSION>2.0</VERSION><PUBLISHER>Acme</PUBLISHER></SOFTWARES>`).join('');
      const xml = `<REQUEST><CONTENT><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${unit}</KEYVALUE></ACCOUNTINFO><HARDWARE><NAME>${host}</NAME></HARDWARE>${soft}</CONTENT><DEVICEID>${uniqueCode(host)}</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`;
      expect((await postAgent(stack.baseUrl, deflateSync(Buffer.from(xml)))).status).toBe(200);
    }
    const worklist = await gql(stack.graphqlUrl, `query($unit: String!) { unrecognizedTitles(first: 10, filter: { orgUnitCode: $unit }) { totalCount edges { node { name version publisher machineCount installationCount } } } }`, { unit });
    expect(worklist.body).toEqual({
      data: {
        unrecognizedTitles: {
          totalCount: 2,
          edges: [
            { node: { name: title, version: '2.0', publisher: 'Acme', machineCount: 2, installationCount: 2 } },
            { node: { name: other, version: '2.0', publisher: 'Acme', machineCount: 1, installationCount: 1 } },
          ],
        },
      },
    });

    const office = await gql<{ recognize: { edition: { id: string; name: string; product: { name: string; category: string } } } }>(
      stack.graphqlUrl,
      `{ recognize(rawName: "Microsoft Office Professional Plus 2016", rawPublisher: "Microsoft Corporation") { ignored recognized edition { id name product { name category } } rule { key priority } } }`,
    );
    expect(office.body.data?.recognize).toMatchObject({ ignored: false, recognized: true, edition: { product: { category: 'OFFICE' } }, rule: { key: expect.any(String) } });
    const editionId = office.body.data?.recognize.edition.id;

    const added = await gql<{ addNormalizationRule: { id: string } }>(
      stack.graphqlUrl,
      `mutation($input: AddNormalizationRuleInput!) { addNormalizationRule(input: $input) { id namePattern priority ignore edition { id name } } }`,
      { input: { namePattern: `^${title}$`, publisherPattern: 'acme', editionId } },
    );
    expect(added.body.data?.addNormalizationRule).toMatchObject({ namePattern: `^${title}$`, priority: 800, ignore: false, edition: { id: editionId } });
    const after = await gql(stack.graphqlUrl, `query($unit: String!) { unrecognizedTitles(filter: { orgUnitCode: $unit }) { edges { node { name } } } }`, { unit });
    expect(after.body).toEqual({ data: { unrecognizedTitles: { edges: [{ node: { name: other } }] } } });
    const [n1] = (await machinesOf(unit)).filter((m) => m.hostname === 'n1');
    expect(n1.installations.edges.find((e) => e.node.rawName === title)?.node.edition).toMatchObject({ id: editionId, product: { category: 'OFFICE' } });

    const bad = await gql(stack.graphqlUrl, `mutation { addNormalizationRule(input: { namePattern: "\\\\bword", ignore: true }) { id } }`);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const removed = await gql(stack.graphqlUrl, `mutation($id: ID!) { removeNormalizationRule(input: { id: $id }) { id removedAt } }`, { id: added.body.data?.addNormalizationRule.id });
    expect(removed.body.errors).toBeUndefined();
    const replay = await gql(stack.graphqlUrl, `mutation { replayNormalization(input: { onlyUnrecognized: true }) { titlesExamined titlesChanged } }`);
    expect(replay.body.data).toMatchObject({ replayNormalization: { titlesChanged: 0 } });
    const rules = await gql<{ normalizationRules: { totalCount: number } }>(stack.graphqlUrl, `{ normalizationRules(first: 1) { totalCount edges { node { key priority } } } }`);
    expect(rules.body.data?.normalizationRules.totalCount).toBeGreaterThan(150);

    const stale = await gql(stack.graphqlUrl, `query($unit: String!) { staleMachines(filter: { orgUnitCode: $unit, notSeenForDays: 0 }) { totalCount edges { node { hostname lastInventoryAt } } } }`, { unit });
    expect(stale.body).toMatchObject({ data: { staleMachines: { totalCount: 2 } } });
  });
});

/*
 * The real agents, as fleets run them. CI installs both (.ci/run); elsewhere the test skips with a message when
 * they are missing, but never under CI.
 */
const agentsInstalled = existsSync('/usr/bin/fusioninventory-agent') && existsSync('/usr/bin/ocsinventory-agent');
const runRealAgents = agentsInstalled || Boolean(process.env.CI);
if (!runRealAgents) {
  console.warn('Skipping the real-agent tests: fusioninventory-agent and ocsinventory-agent are not installed (apt-get install fusioninventory-agent ocsinventory-agent; .ci/run installs them).');
}

(runRealAgents ? describe : describe.skip)('real agents', () => {
  const host = os.hostname();
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'genuine-agents-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function expectArrivedThenUnchanged(unit: string, runAgent: () => Promise<{ code: number | null; output: string }>, source: string) {
    const first = await runAgent();
    const [machine] = await machinesOf(unit);
    expect({ machine: machine?.hostname, output: first.output }).toEqual({ machine: host, output: expect.any(String) });
    expect(machine.installations.totalCount).toBeGreaterThan(50);
    expect(machine.installations.edges.filter((e) => e.node.operatingSystem)).toHaveLength(1);
    expect(machine.inventoryReports.edges[0].node).toMatchObject({ source, outcome: 'APPLIED' });

    await runAgent();
    const [again] = await machinesOf(unit);
    expect(again.installations).toEqual(machine.installations);
    expect(outcomes(again)).toEqual(['UNCHANGED', 'APPLIED']);
  }

  it('fusioninventory-agent: the machine and its installations arrive, and a re-send changes nothing', async () => {
    const unit = await createUnit('fi');
    const conf = path.join(work, 'fusioninventory.cfg');
    writeFileSync(conf, '');
    await expectArrivedThenUnchanged(
      unit,
      () =>
        run('fusioninventory-agent', [
          '--server', `${stack.baseUrl}/ocsinventory`, '--user', 'agent', '--password', TEST_ADMIN_TOKEN, '--tag', unit,
          '--no-task=wmi,wakeonlan,maintenance', `--conf-file=${conf}`, '--force',
        ]),
      'FUSIONINVENTORY',
    );
  }, 300_000);

  it('ocsinventory-agent: the machine and its installations arrive, and a re-send changes nothing', async () => {
    const unit = await createUnit('ocs');
    // The OCS agent base64-decodes user and password before use (test/fixtures/agents/README.md); --nolocal
    // overrides the local mode Debian's non-interactive install leaves in /etc/ocsinventory/ocsinventory-agent.cfg.
    const b64 = (value: string) => Buffer.from(value).toString('base64');
    await expectArrivedThenUnchanged(
      unit,
      async () => {
        const result = await run('ocsinventory-agent', [
          `--server=${stack.baseUrl}/ocsinventory`, `--user=${b64('agent')}`, `--password=${b64(TEST_ADMIN_TOKEN)}`, '--realm=Genuine',
          `--tag=${unit}`, `--basevardir=${path.join(work, 'ocs')}`, '--nolocal', '--force',
        ]);
        expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: expect.any(String) });
        return result;
      },
      'OCS',
    );
  }, 300_000);
});
