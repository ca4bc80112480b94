import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Role, type Actor, type Authenticator } from '@genuine/kit';
import { actorFor, testAdmin, uniqueCode } from '@genuine/kit/src/testing';
import { agentBodyHash, decodeAgentBody, parseAgentMessage, peekAgentBody, type AgentInventory } from '@genuine/audit/src/ingest/agent-protocol';
import { mountAgentEndpoint } from '@genuine/audit/src/ingest/agent.route';
import { IngestRepository } from '@genuine/audit/src/ingest/ingest.repository';
import { IdenticalResendBatcher } from '@genuine/audit/src/ingest/resend-batcher';
import { InventoryOutcome } from '@genuine/audit/src/inventory/inventory.entity';
import { AGENT_FIXTURES, ensureDefaultCatalogue, fixtureInventory, ingestService, InProcessRegistrar, openAuditOrm } from './support/audit';
import { createTree, openRegistryOrm, silentLog } from './support/registry';

// The protocol module as it is, its decoder and parser wrapped so a test can tell whether the endpoint used them.
jest.mock('@genuine/audit/src/ingest/agent-protocol', () => {
  const actual = jest.requireActual('@genuine/audit/src/ingest/agent-protocol');
  return { ...actual, decodeAgentBody: jest.fn(actual.decodeAgentBody), parseAgentMessage: jest.fn(actual.parseAgentMessage) };
});

/*
 * The ingest's fast path for byte-identical re-sends (issue 4, Speed): a body whose hash is the one the machine's
 * current state came from is answered before it is inflated or parsed, with the outcome the full path would give.
 */

let registryOrm: MikroORM;
let auditOrm: MikroORM;
let tree: Awaited<ReturnType<typeof createTree>>;
const fusion = fixtureInventory('fusioninventory-inventory.xml.zlib', 'application/x-compress-zlib');

beforeAll(async () => {
  registryOrm = await openRegistryOrm();
  auditOrm = await openAuditOrm();
  tree = await createTree(registryOrm);
  await ensureDefaultCatalogue(registryOrm, auditOrm);
});
afterAll(async () => {
  await auditOrm?.close();
  await registryOrm?.close();
});

const admin = { actor: testAdmin, token: 'test-token' };
const day = (n: number) => new Date(Date.UTC(2026, 1, n, 8));

function inventory(tag: string, collectedOn: number): AgentInventory {
  return { ...fusion, tag, collectedAt: day(collectedOn).toISOString(), machine: { ...fusion.machine, hostname: uniqueCode('pc'), serialNumber: null, uuid: null } };
}

async function state(machineId: string) {
  const [row] = await auditOrm.em.fork().execute<Array<{ lastReportAt: string; lastCollectedAt: string; checksum: string; bodyHash: string | null }>>(
    `select last_report_at as "lastReportAt", last_collected_at as "lastCollectedAt", checksum, body_hash as "bodyHash" from audit.machine_inventory where machine_id = ?`,
    [machineId],
  );
  return { ...row, lastReportAt: new Date(row.lastReportAt), lastCollectedAt: new Date(row.lastCollectedAt) };
}

async function reports(machineId: string) {
  return auditOrm.em.fork().execute<Array<{ outcome: string; checksum: string | null; source: string; deviceId: string; tag: string; softwareCount: number; collectedAt: Date | null; requestId: string }>>(
    `select outcome, checksum, source, device_id as "deviceId", tag, software_count as "softwareCount", collected_at as "collectedAt", request_id as "requestId"
       from audit.inventory_report where machine_id = ? order by id`,
    [machineId],
  );
}

async function installations(machineId: string) {
  // Keyed by (title, arch, OS flag); xmin changes whenever a row is rewritten, even with the same values.
  return auditOrm.em.fork().execute<Array<{ id: string; version: string; first: string; last: string }>>(
    `select concat_ws('|', title_id, arch, is_operating_system) as id, xmin::text as version, first_seen_at::text as first, last_seen_at::text as last
       from audit.installation where machine_id = ? order by 1`,
    [machineId],
  );
}

describe('byte-identical re-sends', () => {
  it('are UNCHANGED from the body hash alone: the report copies the original, only last-seen moves', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const hash = uniqueCode('body');
    const first = await ingestService(auditOrm, registrar).submit(admin, inventory(tree.east.code, 2), day(2), hash);
    expect(first.outcome).toBe(InventoryOutcome.APPLIED);
    const before = await installations(first.machineId);

    const again = await ingestService(auditOrm, registrar, 'req-resend').resubmit(admin, hash, day(3));
    expect(again).toMatchObject({ outcome: InventoryOutcome.UNCHANGED, machineId: first.machineId, installations: 0, newTitles: 0 });
    const [original, resent] = await reports(first.machineId);
    expect(resent).toEqual({ ...original, outcome: 'UNCHANGED', requestId: 'req-resend' });
    expect(await state(first.machineId)).toMatchObject({ lastReportAt: day(3), lastCollectedAt: day(2), bodyHash: hash });
    expect(await installations(first.machineId)).toEqual(before);
    expect(registrar.calls).toBe(1);
  });

  it('answers null and writes nothing for a body it does not know, or a token that may not send inventories', async () => {
    const hash = uniqueCode('body');
    const first = await ingestService(auditOrm, new InProcessRegistrar(registryOrm)).submit(admin, inventory(tree.east.code, 2), day(2), hash);
    expect(await ingestService(auditOrm, new InProcessRegistrar(registryOrm)).resubmit(admin, uniqueCode('other'), day(3))).toBeNull();
    expect(await ingestService(auditOrm, new InProcessRegistrar(registryOrm)).resubmit({ actor: actorFor(Role.VIEWER), token: 't' }, hash, day(3))).toBeNull();
    expect((await reports(first.machineId)).map((r) => r.outcome)).toEqual(['APPLIED']);
  });

  it('holds the original TAG unit and machine to the token\'s scope as it is now', async () => {
    const hash = uniqueCode('body');
    const first = await ingestService(auditOrm, new InProcessRegistrar(registryOrm)).submit(admin, inventory(tree.east.code, 2), day(2), hash);
    const west: Actor = actorFor(Role.AGENT, tree.west);
    expect(await ingestService(auditOrm, new InProcessRegistrar(registryOrm)).resubmit({ actor: west, token: 't' }, hash, day(3))).toBeNull();
    const east: Actor = actorFor(Role.AGENT, tree.east);
    expect(await ingestService(auditOrm, new InProcessRegistrar(registryOrm)).resubmit({ actor: east, token: 't' }, hash, day(3))).toMatchObject({ outcome: InventoryOutcome.UNCHANGED });
    expect((await reports(first.machineId)).map((r) => r.outcome)).toEqual(['APPLIED', 'UNCHANGED']);
  });

  it('a changed body with the same content is still UNCHANGED by the content checksum, and becomes the body re-sends match', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const sent = inventory(tree.east.code, 4);
    const [bodyA, bodyB] = [uniqueCode('bodyA'), uniqueCode('bodyB')];
    const first = await ingestService(auditOrm, registrar).submit(admin, sent, day(4), bodyA);
    // The next day's inventory: a new collection time and body, the same installations.
    const next = await ingestService(auditOrm, registrar).submit(admin, { ...sent, collectedAt: day(5).toISOString() }, day(5), bodyB);
    expect(next).toMatchObject({ outcome: InventoryOutcome.UNCHANGED, machineId: first.machineId });
    expect(await state(first.machineId)).toMatchObject({ lastCollectedAt: day(5), bodyHash: bodyB });
    // The older body is no longer the current one: the fast path declines and the full path decides.
    expect(await ingestService(auditOrm, registrar).resubmit(admin, bodyA, day(6))).toBeNull();
    expect(await ingestService(auditOrm, registrar).resubmit(admin, bodyB, day(6))).toMatchObject({ outcome: InventoryOutcome.UNCHANGED });
  });

  it('is STALE, as the full path says, when the machine has been seen with a later collection since', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const sent = inventory(tree.east.code, 7);
    const hash = uniqueCode('body');
    const first = await ingestService(auditOrm, registrar).submit(admin, sent, day(7), hash);
    // Same content, collected later, arriving another way (no body hash): the state keeps the earlier body.
    await ingestService(auditOrm, registrar).submit(admin, { ...sent, collectedAt: day(8).toISOString() }, day(8));
    const before = await state(first.machineId);
    const stale = await ingestService(auditOrm, registrar).resubmit(admin, hash, day(9));
    expect(stale).toMatchObject({ outcome: InventoryOutcome.STALE });
    expect(await state(first.machineId)).toEqual(before);
    const full = await ingestService(auditOrm, registrar).submit(admin, sent, day(9));
    expect(full.outcome).toBe(InventoryOutcome.STALE);
  });

  it('a newer inventory with other content retires the old body', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const sent = inventory(tree.east.code, 10);
    const [bodyA, bodyB] = [uniqueCode('bodyA'), uniqueCode('bodyB')];
    await ingestService(auditOrm, registrar).submit(admin, sent, day(10), bodyA);
    const changed = await ingestService(auditOrm, registrar).submit(admin, { ...sent, software: sent.software.slice(1), collectedAt: day(11).toISOString() }, day(11), bodyB);
    expect(changed.outcome).toBe(InventoryOutcome.APPLIED);
    expect(await ingestService(auditOrm, registrar).resubmit(admin, bodyA, day(12))).toBeNull();
  });
});

describe('identical re-sends recorded together (IdenticalResendBatcher)', () => {
  it('gives each re-send of a burst what it would get alone, in one statement per batch', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const [hashA, hashB, hashC] = [uniqueCode('bodyA'), uniqueCode('bodyB'), uniqueCode('bodyC')];
    const a = await ingestService(auditOrm, registrar).submit(admin, inventory(tree.east.code, 14), day(14), hashA);
    const b = await ingestService(auditOrm, registrar).submit(admin, inventory(tree.east.code, 14), day(14), hashB);
    // C's state has moved on since its body (same content collected later, arriving another way): re-sends are STALE.
    const sentC = inventory(tree.east.code, 14);
    const c = await ingestService(auditOrm, registrar).submit(admin, sentC, day(14), hashC);
    await ingestService(auditOrm, registrar).submit(admin, { ...sentC, collectedAt: day(15).toISOString() }, day(15));
    const stateC = await state(c.machineId);

    const batches = jest.spyOn(IngestRepository.prototype, 'recordIdenticalResends');
    const batcher = new IdenticalResendBatcher(() => auditOrm.em.fork(), { maxBatch: 100, concurrency: 1 });
    const west: Actor = actorFor(Role.AGENT, tree.west);
    const resend = (bodyHash: string, actor: Actor = testAdmin, requestId = uniqueCode('req')) =>
      batcher.record({ bodyHash, scopeUnitId: actor.scopeUnitId, receivedAt: day(16), actorId: actor.id, requestId });
    try {
      const results = await Promise.all([
        resend(hashA),
        resend(hashA, testAdmin, 'req-a2'),
        resend(hashB),
        resend(uniqueCode('unknown')),
        resend(hashB, west),
        resend(hashC),
        resend(hashA, testAdmin, 'req-a3'),
      ]);
      // The first went alone; the six that arrived meanwhile went together.
      expect(batches.mock.calls.map(([items]) => items.length)).toEqual([1, 6]);
      expect(results.map((r) => r && [r.machineId, r.outcome])).toEqual([
        [a.machineId, 'UNCHANGED'],
        [a.machineId, 'UNCHANGED'],
        [b.machineId, 'UNCHANGED'],
        null,
        null,
        [c.machineId, 'STALE'],
        [a.machineId, 'UNCHANGED'],
      ]);
      const reportsA = await reports(a.machineId);
      expect(reportsA.map((r) => r.outcome)).toEqual(['APPLIED', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
      expect(reportsA.slice(1).map((r) => ({ ...r, requestId: '' }))).toEqual(Array(3).fill({ ...reportsA[0], outcome: 'UNCHANGED', requestId: '' }));
      expect(new Set(results.map((r) => r?.reportId).filter(Boolean)).size).toBe(5);
      expect((await reports(b.machineId)).map((r) => r.outcome)).toEqual(['APPLIED', 'UNCHANGED']);
      expect(await state(a.machineId)).toMatchObject({ lastReportAt: day(16), lastCollectedAt: day(14), bodyHash: hashA });
      expect(await state(c.machineId)).toEqual(stateC);
      expect((await reports(c.machineId)).map((r) => r.outcome)).toEqual(['APPLIED', 'UNCHANGED', 'STALE']);
    } finally {
      batches.mockRestore();
    }
  });

  it('batches running at once over the same machines, in opposite orders, all apply (rows are locked in machine order)', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const hashes = Array.from({ length: 12 }, () => uniqueCode('body'));
    for (const hash of hashes) await ingestService(auditOrm, registrar).submit(admin, inventory(tree.east.code, 17), day(17), hash);
    const batchers = [0, 1, 2].map(() => new IdenticalResendBatcher(() => auditOrm.em.fork(), { maxBatch: 100, concurrency: 2 }));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, round) =>
        batchers.flatMap((batcher, n) =>
          (n % 2 === 0 ? hashes : [...hashes].reverse()).map((bodyHash) =>
            batcher.record({ bodyHash, scopeUnitId: null, receivedAt: day(18 + round), actorId: testAdmin.id, requestId: uniqueCode('req') }),
          ),
        ),
      ).flat(),
    );
    expect(results.every((r) => r?.outcome === 'UNCHANGED')).toBe(true);
  });
});

describe('concurrent first inventories', () => {
  it('sharing new titles in different orders all apply (new titles are inserted in id order, so concurrent ingests wait for each other rather than deadlock)', async () => {
    const titles = Array.from({ length: 300 }, (_, i) => ({ name: uniqueCode(`Shared title ${i}`), version: '1.0', publisher: 'Acme', arch: 'x86_64' }));
    const registrar = new InProcessRegistrar(registryOrm);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => {
        const order = n % 2 === 0 ? titles : [...titles].reverse();
        return ingestService(auditOrm, registrar).submit(admin, { ...inventory(tree.east.code, 13), software: order }, day(13));
      }),
    );
    expect(results.map((r) => r.outcome)).toEqual(Array(10).fill(InventoryOutcome.APPLIED));
    expect(results.reduce((n, r) => n + r.newTitles, 0)).toBeGreaterThanOrEqual(300);
  });
});

describe('the agent endpoint', () => {
  let server: Server;
  let url: string;
  const TOKEN = 'resend-test-token';
  beforeAll(async () => {
    const app = express();
    app.use((_req, res, next) => {
      res.locals.requestId = uniqueCode('req');
      next();
    });
    const authenticator = { verifyToken: async (token: string) => (token === TOKEN ? testAdmin : null) } as unknown as Authenticator;
    mountAgentEndpoint(app, { orm: auditOrm, authenticator, registrar: new InProcessRegistrar(registryOrm), log: silentLog });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocsinventory`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: Buffer) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-compress-zlib', authorization: `Basic ${Buffer.from(`agent:${TOKEN}`).toString('base64')}` }, body: new Uint8Array(body) });

  it('answers a byte-identical re-send of a zlib inventory without inflating or parsing it', async () => {
    // The captured FusionInventory inventory, tagged and named for this test, compressed as the agent sends it.
    const xml = readFileSync(path.join(AGENT_FIXTURES, 'fusioninventory-inventory.xml'), 'utf8')
      .replace('<KEYVALUE>nanxun</KEYVALUE>', `<KEYVALUE>${tree.east.code}</KEYVALUE>`)
      .replace('<NAME>nx-edu-pc042</NAME>', `<NAME>${uniqueCode('pc')}</NAME>`);
    expect(xml).toContain(tree.east.code);
    const body = (await import('node:zlib')).deflateSync(Buffer.from(xml, 'utf8'));
    expect(peekAgentBody(body, 'application/x-compress-zlib')).toEqual({ format: 'xml', compression: 'zlib' });

    const first = await post(body);
    expect(first.status).toBe(200);
    const hash = agentBodyHash(body, 'application/x-compress-zlib');
    const [stored] = await auditOrm.em.fork().execute<Array<{ machineId: string }>>(`select machine_id as "machineId" from audit.machine_inventory where body_hash = ?`, [hash]);
    expect(stored).toBeDefined();

    const decode = jest.mocked(decodeAgentBody);
    const parse = jest.mocked(parseAgentMessage);
    decode.mockClear();
    parse.mockClear();
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toBe('application/x-compress');
    expect((await import('node:zlib')).inflateSync(Buffer.from(await again.arrayBuffer())).toString('utf8')).toContain('<RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE>');
    expect(decode).not.toHaveBeenCalled();
    expect(parse).not.toHaveBeenCalled();
    expect((await reports(stored.machineId)).map((r) => r.outcome)).toEqual(['APPLIED', 'UNCHANGED']);
  });
});
