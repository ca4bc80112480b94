import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, Role, sqlArray, type Actor } from '@genuine/kit';
import { actorFor, testAdmin, uniqueCode } from '@genuine/kit/src/testing';
import type { AgentInventory, AgentSoftware } from '@genuine/audit/src/ingest/agent-protocol';
import { AgentRefusal } from '@genuine/audit/src/ingest/agent-refusal';
import { InventoryOutcome } from '@genuine/audit/src/inventory/inventory.entity';
import { catalogueMatcherRules, loadDefaultCatalogue, TitleMatcher } from '@genuine/audit/src/normalization/title-matcher';
import { normalizedTitle } from '@genuine/audit/src/normalization/title-text';
import type { AddRuleCommand } from '@genuine/audit/src/normalization/normalization.service';
import { auditContext, ensureDefaultCatalogue, fixtureInventory, ingestService, InProcessRegistrar, openAuditOrm } from './support/audit';
import { createTree, openRegistryOrm, registryContext } from './support/registry';
import { testDatabaseMode } from './support/test-database';

let registryOrm: MikroORM;
let auditOrm: MikroORM;
let tree: Awaited<ReturnType<typeof createTree>>;
let editionIds: Map<string, string>;
const fusion = fixtureInventory('fusioninventory-inventory.xml.zlib', 'application/x-compress-zlib');

beforeAll(async () => {
  registryOrm = await openRegistryOrm();
  auditOrm = await openAuditOrm();
  tree = await createTree(registryOrm);
  editionIds = await ensureDefaultCatalogue(registryOrm, auditOrm);
});
afterAll(async () => {
  await auditOrm?.close();
  await registryOrm?.close();
});

const admin = { actor: testAdmin, token: 'test-token' };
const day = (n: number) => new Date(Date.UTC(2026, 0, n, 8));

/** The captured FusionInventory inventory, as another machine of the test's own. */
function inventory(tag: string, overrides: Partial<AgentInventory> & { hostname?: string; serial?: string | null; uuid?: string | null } = {}): AgentInventory {
  const { hostname, serial, uuid, ...rest } = overrides;
  return {
    ...fusion,
    tag,
    collectedAt: null,
    machine: { ...fusion.machine, hostname: hostname ?? uniqueCode('pc'), serialNumber: serial ?? null, uuid: uuid ?? null },
    ...rest,
  };
}

const software = (name: string, version: string | null = '1.0', publisher: string | null = 'Acme'): AgentSoftware => ({ name, version, publisher, arch: 'x86_64' });

async function installationRows(machineId: string) {
  return auditOrm.em.fork().execute<Array<{ id: string; name: string; first: string; last: string; os: boolean }>>(
    // An installation is identified by its key within the machine (title, arch, OS flag).
    `select concat_ws('|', i.title_id, i.arch, i.is_operating_system) as id, t.name, i.first_seen_at::text as first, i.last_seen_at::text as last,
            i.is_operating_system as os
       from audit.installation i join audit.software_title t on t.id = i.title_id where i.machine_id = ? order by 1`,
    [machineId],
  );
}

async function reports(machineId: string | null, deviceId?: string) {
  return auditOrm.em.fork().execute<Array<{ outcome: string; reason: string | null }>>(
    `select outcome, reason from audit.inventory_report where ${machineId ? 'machine_id = ?' : 'device_id = ?'} order by id`,
    [machineId ?? deviceId],
  );
}

async function refusal(action: Promise<unknown>): Promise<AgentRefusal> {
  try {
    await action;
  } catch (err) {
    if (err instanceof AgentRefusal) return err;
    throw err;
  }
  throw new Error('expected the ingest to refuse');
}

describe('ingest', () => {
  it('registers an unknown machine in the tagged unit and stores its installations, the operating system among them', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const hostname = uniqueCode('nx-pc');
    const result = await ingestService(auditOrm, registrar).submit(admin, inventory(tree.east.code, { hostname }), day(1));
    expect(result).toMatchObject({ outcome: InventoryOutcome.APPLIED, installations: 831, removed: 0 });
    expect(registrar.calls).toBe(1);

    const [machine] = await auditOrm.em.fork().execute(`select org_unit_id, hostname, kind from registry_public.machine where id = ?`, [result.machineId]);
    expect(machine).toEqual({ org_unit_id: tree.east.id, hostname, kind: 'VIRTUAL' });

    const ctx = auditContext(auditOrm, testAdmin);
    const page = await ctx.services.inventory.installations(testAdmin, result.machineId, 500, null);
    expect(typeof page.totalCount === 'function' ? await page.totalCount() : page.totalCount).toBe(831);
    const os = page.items.filter((i) => i.isOperatingSystem);
    expect(os).toEqual([expect.objectContaining({ rawName: 'Debian GNU/Linux 12 (bookworm)', rawVersion: '12.11', editionId: editionIds.get('debian-linux'), recognized: true })]);
    expect(await reports(result.machineId)).toEqual([{ outcome: 'APPLIED', reason: null }]);
    const state = await ctx.services.inventory.inventoryState(testAdmin, result.machineId);
    expect(state).toMatchObject({ source: 'FUSIONINVENTORY', operatingSystem: 'Debian GNU/Linux 12 (bookworm)', lastReportAt: day(1) });
  });

  it('changes nothing on an identical re-send but the last-seen time, and ignores an older inventory', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const sent = inventory(tree.east.code, { collectedAt: day(2).toISOString() });
    const first = await ingestService(auditOrm, registrar).submit(admin, sent, day(2));
    const before = await installationRows(first.machineId);

    const again = await ingestService(auditOrm, registrar).submit(admin, { ...sent, collectedAt: day(3).toISOString() }, day(3));
    expect(again).toMatchObject({ outcome: InventoryOutcome.UNCHANGED, machineId: first.machineId, installations: 0, newTitles: 0 });
    expect(registrar.calls).toBe(1);
    expect(await installationRows(first.machineId)).toEqual(before);

    const older = await ingestService(auditOrm, registrar).submit(admin, { ...sent, software: sent.software.slice(0, 3), collectedAt: day(1).toISOString() }, day(4));
    expect(older.outcome).toBe(InventoryOutcome.STALE);
    expect(await installationRows(first.machineId)).toEqual(before);

    const state = await auditContext(auditOrm, testAdmin).services.inventory.inventoryState(testAdmin, first.machineId);
    expect(state).toMatchObject({ lastReportAt: day(3), lastAppliedAt: day(2), lastCollectedAt: day(3) });
    expect((await reports(first.machineId)).map((r) => r.outcome)).toEqual(['APPLIED', 'UNCHANGED', 'STALE']);
  });

  it('prepares its statements once per connection on a server, and not on the embedded database', async () => {
    // One pooled connection, so every statement below runs on the session whose prepared statements are listed.
    const oneConnection = await openAuditOrm(1);
    try {
      const registrar = new InProcessRegistrar(registryOrm);
      const sent = inventory(tree.east.code, { collectedAt: day(2).toISOString() });
      const first = await ingestService(oneConnection, registrar).submit(admin, sent, day(2));
      const second = inventory(tree.east.code, { collectedAt: day(2).toISOString() });
      expect((await ingestService(oneConnection, registrar).submit(admin, second, day(2))).outcome).toBe(InventoryOutcome.APPLIED);
      expect((await ingestService(oneConnection, registrar).submit(admin, { ...sent, collectedAt: day(3).toISOString() }, day(3))).outcome).toBe(InventoryOutcome.UNCHANGED);
      expect((await ingestService(oneConnection, registrar).submit(admin, { ...sent, collectedAt: day(1).toISOString() }, day(4))).outcome).toBe(InventoryOutcome.STALE);
      const prepared = await oneConnection.em.fork().execute<Array<{ name: string }>>(
        `select name from pg_prepared_statements where name like 'genuine_ingest_%' order by name`,
      );
      expect(prepared.map((p) => p.name)).toEqual(
        testDatabaseMode() === 'server'
          ? ['genuine_ingest_apply_inventory', 'genuine_ingest_insert_report', 'genuine_ingest_lock_machine', 'genuine_ingest_machine_state', 'genuine_ingest_record_unchanged', 'genuine_ingest_resolve_identity']
          : [],
      );
      expect((await reports(first.machineId)).map((r) => r.outcome)).toEqual(['APPLIED', 'UNCHANGED', 'STALE']);
    } finally {
      await oneConnection.close();
    }
  });

  it('replaces the set with a newer inventory, keeping first-seen times of what stayed', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const kept = software(uniqueCode('Kept Tool'));
    const dropped = software(uniqueCode('Dropped Tool'));
    const added = software(uniqueCode('Added Tool'));
    const base = inventory(tree.west.code, { software: [kept, dropped] });
    const first = await ingestService(auditOrm, registrar).submit(admin, base, day(5));
    const before = await installationRows(first.machineId);
    expect(before.map((r) => r.name).sort()).toEqual([kept.name, dropped.name, 'Debian GNU/Linux 12 (bookworm)'].sort());

    const second = await ingestService(auditOrm, registrar).submit(admin, { ...base, software: [kept, added] }, day(6));
    expect(second).toMatchObject({ outcome: InventoryOutcome.APPLIED, installations: 3, removed: 1, newTitles: 1 });
    const after = await installationRows(first.machineId);
    expect(after.map((r) => r.name).sort()).toEqual([kept.name, added.name, 'Debian GNU/Linux 12 (bookworm)'].sort());
    const keptBefore = before.find((r) => r.name === kept.name);
    const keptAfter = after.find((r) => r.name === kept.name);
    expect(keptAfter).toMatchObject({ id: keptBefore?.id, first: keptBefore?.first });
    expect(keptAfter?.last).not.toBe(keptBefore?.last);
    expect(after.find((r) => r.name === added.name)?.first).toBe(keptAfter?.last);
  });

  it('replaces only the sections a partial inventory carries', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const base = inventory(tree.west.code, { software: [software(uniqueCode('Partial A'))] });
    const first = await ingestService(auditOrm, registrar).submit(admin, base, day(7));
    const partial = await ingestService(auditOrm, registrar).submit(admin, { ...base, partial: true, operatingSystem: null, software: [software(uniqueCode('Partial B'))] }, day(8));
    expect(partial.outcome).toBe(InventoryOutcome.APPLIED);
    const rows = await installationRows(first.machineId);
    expect(rows.filter((r) => r.os)).toHaveLength(1);
    expect(rows.filter((r) => !r.os).map((r) => r.name)).toEqual([expect.stringMatching(/^Partial B/)]);
  });

  it('matches a registry machine by uuid, then serial, then hostname within the unit', async () => {
    const registry = registryContext(registryOrm, testAdmin);
    const serial = uniqueCode('SN');
    const uuid = uniqueCode('uuid');
    const hostname = uniqueCode('host');
    const bySerial = await registry.services.machines.register(testAdmin, { orgUnitCode: tree.east.code, serialNumber: serial, kind: 'DESKTOP' as never });
    const byUuid = await registry.services.machines.register(testAdmin, { orgUnitCode: tree.east.code, uuid, kind: 'DESKTOP' as never });
    const byHost = await registry.services.machines.register(testAdmin, { orgUnitCode: tree.east.code, hostname, kind: 'DESKTOP' as never });
    const registrar = new InProcessRegistrar(registryOrm);
    const submit = (inv: AgentInventory) => ingestService(auditOrm, registrar).submit(admin, inv, day(9));

    expect((await submit(inventory(tree.east.code, { uuid, serial, hostname }))).machineId).toBe(byUuid.id);
    expect((await submit(inventory(tree.east.code, { serial, hostname }))).machineId).toBe(bySerial.id);
    expect((await submit(inventory(tree.east.code, { hostname }))).machineId).toBe(byHost.id);
    expect(registrar.calls).toBe(0);
    // The same host name in another unit is another machine.
    const elsewhere = await submit(inventory(tree.west.code, { hostname }));
    expect(elsewhere.machineId).not.toBe(byHost.id);
    expect(registrar.calls).toBe(1);
  });

  it('registers a machine once when its first reports arrive together', async () => {
    const registrar = new InProcessRegistrar(registryOrm);
    const hostname = uniqueCode('twin');
    const sent = inventory(tree.west.code, { hostname, software: [software(uniqueCode('Concurrent'))] });
    const results = await Promise.all([1, 2, 3].map(() => ingestService(auditOrm, registrar).submit(admin, sent, day(10))));
    expect(new Set(results.map((r) => r.machineId)).size).toBe(1);
    expect(results.map((r) => r.outcome).sort()).toEqual(['APPLIED', 'UNCHANGED', 'UNCHANGED']);
    expect(await installationRows(results[0].machineId)).toHaveLength(2);
  });

  describe('refuses, records the refusal and writes nothing else', () => {
    const cases: Array<[string, () => { actor: Actor; inventory: AgentInventory }, number, string]> = [
      ['a TAG naming no unit', () => ({ actor: testAdmin, inventory: inventory(uniqueCode('nowhere')) }), 422, 'UNKNOWN_ORG_UNIT'],
      ['a TAG outside the token\'s scope', () => ({ actor: actorFor(Role.AGENT, tree.west), inventory: inventory(tree.east.code) }), 422, 'UNKNOWN_ORG_UNIT'],
      ['no TAG from an unscoped token', () => ({ actor: testAdmin, inventory: { ...inventory('x'), tag: null } }), 422, 'MISSING_TAG'],
      ['a token that may not send inventories', () => ({ actor: actorFor(Role.VIEWER), inventory: inventory(tree.east.code) }), 403, 'FORBIDDEN'],
      ['an over-long host name', () => ({ actor: testAdmin, inventory: inventory(tree.east.code, { hostname: 'h'.repeat(300) }) }), 422, 'FIELD_TOO_LONG'],
      ['no identity at all', () => ({ actor: testAdmin, inventory: { ...inventory(tree.east.code), machine: { ...fusion.machine, hostname: null, uuid: null, serialNumber: null } } }), 422, 'MISSING_IDENTITY'],
    ];
    it.each(cases)('%s', async (_name, make, status, code) => {
      const { actor, inventory: sent } = make();
      const deviceId = uniqueCode('device');
      const registrar = new InProcessRegistrar(registryOrm);
      const error = await refusal(ingestService(auditOrm, registrar).submit({ actor, token: 't' }, { ...sent, deviceId }, day(11)));
      expect({ status: error.status, code: error.code }).toEqual({ status, code });
      expect(error.message).not.toMatch(/select|insert|stack/i);
      expect(registrar.calls).toBe(0);
      const recorded = await reports(null, deviceId);
      expect(recorded).toEqual(code === 'FORBIDDEN' ? [] : [{ outcome: 'REJECTED', reason: expect.stringContaining(code) }]);
    });

    it('a machine registered outside the token\'s scope', async () => {
      const serial = uniqueCode('SN');
      await registryContext(registryOrm, testAdmin).services.machines.register(testAdmin, { orgUnitCode: tree.east.code, serialNumber: serial, kind: 'DESKTOP' as never });
      const agent = actorFor(Role.AGENT, tree.west);
      const error = await refusal(ingestService(auditOrm, new InProcessRegistrar(registryOrm)).submit({ actor: agent, token: 't' }, inventory(tree.west.code, { serial }), day(12)));
      expect(error).toMatchObject({ status: 409, code: 'MACHINE_OUTSIDE_SCOPE' });
    });
  });
});

describe('normalization', () => {
  const manager = testAdmin;

  it('recognizes titles with the shipped rules without storing anything', async () => {
    const ctx = auditContext(auditOrm, testAdmin);
    const recognize = (rawName: string, rawPublisher: string | null = null, rawVersion: string | null = null) =>
      ctx.services.normalization.recognize(testAdmin, { rawName, rawVersion, rawPublisher });
    expect(await recognize('Microsoft Office Professional Plus 2016')).toMatchObject({ editionId: editionIds.get('ms-office-2016-pro-plus'), ignored: false });
    expect(await recognize('Security Update for Microsoft Office 2016 (KB4484103) 32-Bit Edition', 'Microsoft Corporation')).toMatchObject({ editionId: null, ignored: true });
    expect(await recognize(uniqueCode('Nobody Knows This'))).toBeNull();
    const [{ n }] = await auditOrm.em.fork().execute(`select count(*)::int as n from audit.software_title where name like 'Nobody Knows This%'`);
    expect(n).toBe(0);
  });

  it('applies an added rule to the stored titles it matches, and a removal undoes it', async () => {
    const title = uniqueCode('Acme Widget Pro');
    const registrar = new InProcessRegistrar(registryOrm);
    const machines = await Promise.all(
      [tree.east.code, tree.eastOffice.code].map((tag) => ingestService(auditOrm, registrar).submit(admin, inventory(tag, { software: [software(title)] }), day(13))),
    );
    const edition = editionIds.get('adobe-photoshop-cc');
    const editionOf = async () => {
      const ctx = auditContext(auditOrm, testAdmin);
      const page = await ctx.services.inventory.installations(testAdmin, machines[0].machineId, 10, null);
      return page.items.find((i) => i.rawName === title);
    };
    const worklist = async (actor: Actor = testAdmin) =>
      (await auditContext(auditOrm, actor).services.normalization.worklist(actor, { search: title }, 10, null)).items;

    expect(await editionOf()).toMatchObject({ editionId: null, recognized: false });
    expect(await worklist()).toEqual([expect.objectContaining({ name: title, machineCount: 2, installationCount: 2 })]);
    // Counted within the caller's scope only.
    expect(await worklist(actorFor(Role.VIEWER, tree.eastOffice))).toEqual([expect.objectContaining({ machineCount: 1 })]);
    expect(await worklist(actorFor(Role.VIEWER, tree.west))).toEqual([]);

    const ctx = auditContext(auditOrm, manager);
    const { rule, titlesChanged } = await ctx.services.normalization.addRule(manager, { namePattern: `^${title}$`, editionId: edition });
    expect(titlesChanged).toBe(1);
    expect(rule).toMatchObject({ priority: 800, editionId: edition, ignore: false, key: null });
    expect(await editionOf()).toMatchObject({ editionId: edition, recognized: true });
    expect(await worklist()).toEqual([]);
    expect(await auditContext(auditOrm, testAdmin).services.normalization.recognize(testAdmin, { rawName: title })).toMatchObject({ ruleId: rule.id });

    const replay = await auditContext(auditOrm, manager).services.normalization.replay(manager);
    expect(replay.titlesChanged).toBe(0);
    expect(replay.titlesExamined).toBeGreaterThan(800);

    const removed = await auditContext(auditOrm, manager).services.normalization.removeRule(manager, rule.id);
    expect(removed.titlesChanged).toBe(1);
    expect(removed.rule.removedAt).toBeInstanceOf(Date);
    expect(await editionOf()).toMatchObject({ editionId: null, recognized: false });
    const listed = await auditContext(auditOrm, testAdmin).services.normalization.listRules(testAdmin, { includeRemoved: true, editionId: edition }, 500, null);
    expect(listed.items.map((r) => r.id)).toContain(rule.id);
  });

  it('recognizes a new title with the rules in force when it first arrives', async () => {
    const title = uniqueCode('Contoso Antivirus');
    const ctx = auditContext(auditOrm, manager);
    await ctx.services.normalization.addRule(manager, { namePattern: `^${title}`, ignore: true, priority: 2000 });
    const result = await ingestService(auditOrm, new InProcessRegistrar(registryOrm)).submit(admin, inventory(tree.west.code, { software: [software(title)] }), day(14));
    const page = await auditContext(auditOrm, testAdmin).services.inventory.installations(testAdmin, result.machineId, 10, null);
    expect(page.items.find((i) => i.rawName === title)).toMatchObject({ ignored: true, recognized: true, editionId: null });
  });

  it('refuses invalid rules and callers who may not change rules', async () => {
    const edition = editionIds.get('adobe-photoshop-cc');
    const attempt = async (actor: Actor, command: AddRuleCommand) => {
      try {
        await auditContext(auditOrm, actor).services.normalization.addRule(actor, command);
      } catch (err) {
        if (err instanceof AppError) return { code: err.code, message: err.message };
        throw err;
      }
      throw new Error('expected a refusal');
    };
    expect(await attempt(manager, { namePattern: '\\bword', editionId: edition })).toMatchObject({ code: 'BAD_USER_INPUT', message: 'A pattern is not valid' });
    expect(await attempt(manager, { namePattern: '(unclosed', editionId: edition })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await attempt(manager, { editionId: edition })).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('at least one') });
    expect(await attempt(manager, { namePattern: 'x', editionId: edition, ignore: true })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await attempt(manager, { namePattern: 'x' })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await attempt(manager, { namePattern: 'x', editionId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('does not exist') });
    expect(await attempt(actorFor(Role.ASSET_MANAGER, tree.east), { namePattern: 'x', ignore: true })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await attempt(actorFor(Role.VIEWER), { namePattern: 'x', ignore: true })).toMatchObject({ code: 'FORBIDDEN' });
    const [{ n }] = await auditOrm.em.fork().execute(`select count(*)::int as n from audit.normalization_rule where name_pattern in ('\\bword', '(unclosed', 'x')`);
    expect(n).toBe(0);
  });
});

describe('stale machines', () => {
  it('lists active machines of the scope that have not reported since the threshold, never-seen ones first', async () => {
    const unit = await registryContext(registryOrm, testAdmin).services.orgUnits.create(testAdmin, { code: uniqueCode('stale'), name: 'Stale', kind: 'DEPARTMENT' as never, parentCode: tree.root.code });
    const never = await registryContext(registryOrm, testAdmin).services.machines.register(testAdmin, { orgUnitCode: unit.code, hostname: 'never', kind: 'DESKTOP' as never });
    const registrar = new InProcessRegistrar(registryOrm);
    const old = await ingestService(auditOrm, registrar).submit(admin, inventory(unit.code, { hostname: 'old' }), new Date(Date.now() - 40 * 86_400_000));
    await ingestService(auditOrm, registrar).submit(admin, inventory(unit.code, { hostname: 'fresh' }), new Date());
    const ctx = auditContext(auditOrm, testAdmin);
    const page = await ctx.services.inventory.staleMachines(testAdmin, { orgUnitCode: unit.code }, 10, null);
    expect(page.items.map((m) => m.id)).toEqual([never.id, old.machineId]);
    const seenOnly = await ctx.services.inventory.staleMachines(testAdmin, { orgUnitCode: unit.code, includeNeverSeen: false, notSeenForDays: 10 }, 10, null);
    expect(seenOnly.items.map((m) => m.id)).toEqual([old.machineId]);
    expect(await ctx.services.inventory.staleMachines(testAdmin, { orgUnitCode: unit.code, notSeenForDays: 50 }, 10, null)).toMatchObject({ items: [{ id: never.id }] });
  });
});

describe('the JavaScript matcher and PostgreSQL ~*', () => {
  it('agree on every shipped rule over the labelled titles and the captured inventories', async () => {
    const rules = catalogueMatcherRules(loadDefaultCatalogue());
    const tsv = readFileSync(path.resolve(__dirname, 'fixtures/software-titles.labelled.tsv'), 'utf8').trim().split('\n').slice(1);
    const raw = [
      ...tsv.map((line) => line.split('\t')).map(([name, version, publisher]) => ({ name, version, publisher })),
      ...fusion.software,
      ...fixtureInventory('ocs-inventory.xml.zlib', 'application/x-compress').software,
      ...fixtureInventory('glpi-inventory_format-tests-data-12.xml').software,
      ...fixtureInventory('computer_1.json', 'application/json').software,
      { name: 'Windows  10   专业版', version: null, publisher: 'Microsoft Corporation' },
      { name: '360安全卫士', version: '13.0', publisher: '360安全中心' },
      { name: 'ÉDITION Spéciale', version: 'ß', publisher: 'İstanbul' },
    ];
    const titles = raw.map((t) => normalizedTitle(t.name, t.version, t.publisher));
    const matcher = new TitleMatcher(rules);
    const jsPairs = new Set<string>();
    rules.forEach((rule, r) => {
      const compiled = [rule.namePattern, rule.publisherPattern, rule.versionPattern].map((p) => (p === null ? null : new RegExp(p, 'iu')));
      titles.forEach((t, i) => {
        const fields = [t.name, t.publisher ?? '', t.version ?? ''];
        if (compiled.every((re, f) => re === null || re.test(fields[f]))) jsPairs.add(`${r}:${i}`);
      });
    });
    const rows = await auditOrm.em.fork().execute<Array<{ r: number; t: number }>>(
      `select (r.idx - 1)::int as r, (t.idx - 1)::int as t
         from unnest(?::text[], ?::text[], ?::text[]) with ordinality as r(np, pp, vp, idx)
         cross join unnest(?::text[], ?::text[], ?::text[]) with ordinality as t(n, v, p, idx)
        where (r.np is null or t.n ~* r.np) and (r.pp is null or coalesce(t.p, '') ~* r.pp) and (r.vp is null or coalesce(t.v, '') ~* r.vp)`,
      [
        nullableArray(rules.map((r) => r.namePattern)),
        nullableArray(rules.map((r) => r.publisherPattern)),
        nullableArray(rules.map((r) => r.versionPattern)),
        sqlArray(titles.map((t) => t.name)),
        nullableArray(titles.map((t) => t.version)),
        nullableArray(titles.map((t) => t.publisher)),
      ],
    );
    const sqlPairs = new Set(rows.map((row) => `${row.r}:${row.t}`));
    const onlyJs = [...jsPairs].filter((p) => !sqlPairs.has(p));
    const onlySql = [...sqlPairs].filter((p) => !jsPairs.has(p));
    const describe = (pair: string) => {
      const [r, t] = pair.split(':').map(Number);
      return `${rules[r].id} on ${JSON.stringify(titles[t])}`;
    };
    expect({ onlyJs: onlyJs.map(describe), onlySql: onlySql.map(describe) }).toEqual({ onlyJs: [], onlySql: [] });
    expect(jsPairs.size).toBeGreaterThan(100);
    // Sanity: the matcher recognizes a good share of these titles.
    expect(titles.filter((t) => matcher.match(t) !== null).length).toBeGreaterThan(150);
  });
});

function nullableArray(values: ReadonlyArray<string | null>): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}
