import { deflateSync } from 'node:zlib';
import type { MikroORM } from '@mikro-orm/postgresql';
import { sqlArray, withAdvisoryXactLock } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { COMPLIANCE_JOB, recomputeEverything } from '@genuine/audit/src/compliance/compliance.worker';
import { postAgent } from './support/agent-client';
import { openAuditOrm } from './support/audit';
import { gql, startTestStack, type GraphQLResponse, type RunningStack } from './support/stack';

/*
 * bindOemEntitlement / unbindOemEntitlement through the gateway (DESIGN rule 2d): an OEM license bound to its
 * machine covers that machine's operating system, which the compliance engine picks up incrementally from the
 * change log; the refusals carry their exact error codes and write nothing.
 */
let stack: RunningStack;
let audit: MikroORM;
beforeAll(async () => {
  stack = await startTestStack();
  audit = await openAuditOrm(2);
}, 90_000);
afterAll(async () => {
  await audit?.close();
  await stack?.stop();
});

const run = uniqueCode('oem');
const [root, owner, sibling] = ['root', 'a', 'b'].map((s) => `${run}-${s}`);
const OS_TITLE = `Genuine Test OS ${run}`;

async function data<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(stack.graphqlUrl, query, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data as T;
}
const codeOf = (res: GraphQLResponse) => res.body.errors?.map((e) => e.extensions?.code);

function inventory(tag: string, hostname: string): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><REQUEST><CONTENT><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${tag}</KEYVALUE></ACCOUNTINFO>
    <HARDWARE><NAME>${hostname}</NAME><UUID>${uniqueCode('uuid')}</UUID></HARDWARE>
    <SOFTWARES><NAME>${OS_TITLE}</NAME><VERSION>10.0</VERSION><PUBLISHER>Test</PUBLISHER></SOFTWARES></CONTENT>
    <DEVICEID>${hostname}-2026-11-27-09-00-00</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`;
  return deflateSync(Buffer.from(xml, 'utf8'));
}

const BIND = `mutation($i: BindOemEntitlementInput!) { bindOemEntitlement(input: $i) { id type quantity oemMachine { id hostname } } }`;
const UNBIND = `mutation($i: UnbindOemEntitlementInput!) { unbindOemEntitlement(input: $i) { id oemMachine { id } } }`;
const bind = (entitlementId: string, machineId: string) => gql(stack.graphqlUrl, BIND, { i: { entitlementId, machineId } });

interface World {
  machines: Record<'pc1' | 'pc2' | 'pcB', string>;
  hosts: Record<'pc1' | 'pc2' | 'pcB', string>;
  /** OEM, quantity 1 (bound to pc1 in the test); OEM quantity 1 (for the refusals); OEM quantity 2; VOLUME; OEM retired. */
  entitlements: Record<'oem' | 'spare' | 'bulk' | 'volume' | 'retired', string>;
  unitIds: string[];
}
let world: World;

/** The OS category of each machine and, for pc1, what covers its operating system. */
async function osStatus(): Promise<Record<string, unknown>> {
  const d = await data<Record<string, { compliance: Array<{ category: string; status: string }>; complianceExplanation: Array<{ coveredBy: string | null; entitlementId: string | null }> }>>(
    `query($a: ID!, $b: ID!, $c: ID!) {
       pc1: machine(id: $a) { compliance { category status } complianceExplanation(category: OPERATING_SYSTEM) { coveredBy entitlementId } }
       pc2: machine(id: $b) { compliance { category status } complianceExplanation(category: OPERATING_SYSTEM) { coveredBy entitlementId } }
       pcB: machine(id: $c) { compliance { category status } complianceExplanation(category: OPERATING_SYSTEM) { coveredBy entitlementId } } }`,
    { a: world.machines.pc1, b: world.machines.pc2, c: world.machines.pcB },
  );
  return Object.fromEntries(
    Object.entries(d).map(([host, m]) => [host, { os: m.compliance.find((c) => c.category === 'OPERATING_SYSTEM')?.status ?? null, coverage: m.complianceExplanation }]),
  );
}

/** Polls until the engine's worker has applied the changes (it runs in the background, woken by NOTIFY). */
async function eventually(expected: Record<string, unknown>): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 150; i++) {
    last = await osStatus();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toEqual(expected);
}

const uncovered = (entitlementId: string | null = null) => ({ os: 'UNLICENSED', coverage: [{ coveredBy: null, entitlementId }] });

beforeAll(async () => {
  const unit = (code: string, parentCode: string | null) =>
    data<{ createOrgUnit: { id: string } }>(`mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }`, { i: { code, name: '区财政局', kind: 'DEPARTMENT', parentCode } }).then((d) => d.createOrgUnit.id);
  const unitIds = [await unit(root, null)];
  unitIds.push(await unit(owner, root), await unit(sibling, root));

  const { createProduct } = await data<{ createProduct: { id: string } }>(`mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
    i: { publisher: 'Test', name: OS_TITLE, category: 'OPERATING_SYSTEM', licensable: true },
  });
  const { createEdition } = await data<{ createEdition: { id: string } }>(`mutation($i: CreateEditionInput!) { createEdition(input: $i) { id } }`, {
    i: { productId: createProduct.id, name: `${OS_TITLE} Pro`, listPrice: { amount: '1180.00', currency: 'CNY' } },
  });
  await data(`mutation($i: AddNormalizationRuleInput!) { addNormalizationRule(input: $i) { id } }`, { i: { namePattern: `^${OS_TITLE}$`, editionId: createEdition.id, priority: 5000 } });

  const hosts = { pc1: `${run}-pc1`, pc2: `${run}-pc2`, pcB: `${run}-pcb` };
  for (const [tag, host] of [[owner, hosts.pc1], [owner, hosts.pc2], [sibling, hosts.pcB]]) {
    const res = await postAgent(stack.baseUrl, inventory(tag, host));
    expect(res.status).toBe(200);
  }
  const { machines } = await data<{ machines: { edges: Array<{ node: { id: string; hostname: string } }> } }>(`query($s: String) { machines(first: 10, filter: { search: $s }) { edges { node { id hostname } } } }`, { s: run });
  const id = (host: string) => machines.edges.find((e) => e.node.hostname === host)?.node.id ?? '';

  const line = (quantity: number, type: string) => ({ editionId: createEdition.id, quantity, unitPrice: '1180.00', type });
  const { recordPurchase } = await data<{ recordPurchase: { entitlements: Array<{ id: string }> } }>(
    `mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { entitlements { id } } }`,
    { i: { orgUnitCode: owner, supplier: '湖州正信软件有限公司', orderNumber: uniqueCode('PO'), purchasedOn: '2026-01-05', currency: 'CNY', lines: [line(1, 'OEM'), line(1, 'OEM'), line(2, 'OEM'), line(1, 'VOLUME'), line(1, 'OEM')] } },
  );
  const [oem, spare, bulk, volume, retired] = recordPurchase.entitlements.map((e) => e.id);
  await data(`mutation($i: RetireEntitlementInput!) { retireEntitlement(input: $i) { id } }`, { i: { id: retired } });
  world = { machines: { pc1: id(hosts.pc1), pc2: id(hosts.pc2), pcB: id(hosts.pcB) }, hosts, entitlements: { oem, spare, bulk, volume, retired }, unitIds };
  await eventually({ pc1: uncovered(), pc2: uncovered(), pcB: uncovered() });
}, 90_000);

it('binds an OEM license to its machine: the machine becomes LICENSED with basis OEM, incrementally, and back on unbinding', async () => {
  const bound = await bind(world.entitlements.oem, world.machines.pc1);
  expect(bound.body).toEqual({
    data: { bindOemEntitlement: { id: world.entitlements.oem, type: 'OEM', quantity: 1, oemMachine: { id: world.machines.pc1, hostname: world.hosts.pc1 } } },
  });
  await eventually({ pc1: { os: 'LICENSED', coverage: [{ coveredBy: 'OEM', entitlementId: world.entitlements.oem }] }, pc2: uncovered(), pcB: uncovered() });

  // What the worker maintained incrementally is what a full recompute gives (DESIGN rule 7).
  const maintained = await snapshot();
  await fullRecompute();
  expect(await snapshot()).toEqual(maintained);

  const { history } = await data<{ history: { edges: Array<{ node: { action: string; after: { oemMachineId?: string | null } } }> } }>(
    `query($id: ID!) { history(entityId: $id) { edges { node { action after } } } }`,
    { id: world.entitlements.oem },
  );
  expect(history.edges.map((e) => [e.node.action, e.node.after.oemMachineId ?? null])).toEqual([
    ['entitlement.bind_oem', world.machines.pc1],
    ['entitlement.create', null],
  ]);

  expect((await gql(stack.graphqlUrl, UNBIND, { i: { entitlementId: world.entitlements.oem } })).body).toEqual({
    data: { unbindOemEntitlement: { id: world.entitlements.oem, oemMachine: null } },
  });
  await eventually({ pc1: uncovered(), pc2: uncovered(), pcB: uncovered() });
  // Bound again, to the same machine: an OEM license goes back where it came from.
  expect(codeOf(await bind(world.entitlements.oem, world.machines.pc1))).toBeUndefined();
  await eventually({ pc1: { os: 'LICENSED', coverage: [{ coveredBy: 'OEM', entitlementId: world.entitlements.oem }] }, pc2: uncovered(), pcB: uncovered() });
  // Its one seat is the bound machine's: it cannot also be assigned to another machine.
  const second = await gql(stack.graphqlUrl, `mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { id } }`, {
    i: { entitlementId: world.entitlements.oem, machineId: world.machines.pc2 },
  });
  expect(codeOf(second)).toEqual(['SEAT_LIMIT_EXCEEDED']);
}, 60_000);

it('refuses what an OEM binding cannot be, with exact codes, and writes nothing', async () => {
  const e = world.entitlements;
  const m = world.machines;
  const changeLogBefore = await changeLogCount();
  const cases: Array<[string, () => Promise<GraphQLResponse>, string]> = [
    ['not an OEM entitlement', () => bind(e.volume, m.pc2), 'BAD_USER_INPUT'],
    ['an OEM entitlement of two seats', () => bind(e.bulk, m.pc2), 'BAD_USER_INPUT'],
    ["a machine outside the owner's subtree", () => bind(e.spare, m.pcB), 'BAD_USER_INPUT'],
    ['a retired entitlement', () => bind(e.retired, m.pc2), 'CONFLICT'],
    ['an entitlement already bound to another machine', () => bind(e.oem, m.pc2), 'CONFLICT'],
    ['an entitlement already bound to this machine', () => bind(e.oem, m.pc1), 'CONFLICT'],
    ['no such entitlement', () => bind('00000000-0000-4000-8000-000000000000', m.pc2), 'NOT_FOUND'],
    ['no such machine', () => bind(e.spare, '00000000-0000-4000-8000-000000000000'), 'NOT_FOUND'],
    ['not an id', () => bind(e.spare, 'pc-2'), 'BAD_USER_INPUT'],
    ['unbinding an entitlement that is not bound', () => gql(stack.graphqlUrl, UNBIND, { i: { entitlementId: e.spare } }), 'CONFLICT'],
  ];
  const outcomes = [];
  for (const [what, attempt] of cases) outcomes.push([what, codeOf(await attempt())]);
  expect(outcomes).toEqual(cases.map(([what, , code]) => [what, [code]]));

  // An OEM license whose one seat is assigned to a machine: the seat is taken.
  const { assignLicense } = await data<{ assignLicense: { id: string } }>(`mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { id } }`, {
    i: { entitlementId: e.spare, machineId: m.pc2 },
  });
  expect(codeOf(await bind(e.spare, m.pc2))).toEqual(['SEAT_LIMIT_EXCEEDED']);
  await data(`mutation($i: RevokeAssignmentInput!) { revokeAssignment(input: $i) { id } }`, { i: { assignmentId: assignLicense.id } });
  const changeLogAfterSeat = await changeLogCount();
  // The assignment and its revocation are the only changes: every refused binding left nothing behind.
  expect(changeLogAfterSeat - changeLogBefore).toBe(2);

  const { a, b } = await data<{ a: { oemMachine: null }; b: { oemMachine: null } }>(
    `query($a: ID!, $b: ID!) { a: entitlement(id: $a) { oemMachine { id } } b: entitlement(id: $b) { oemMachine { id } } }`,
    { a: e.spare, b: e.bulk },
  );
  expect({ a, b }).toEqual({ a: { oemMachine: null }, b: { oemMachine: null } });
}, 60_000);

/** Change-log rows that touch this test's units. */
async function changeLogCount(): Promise<number> {
  const [row] = await audit.em.fork().execute<Array<{ n: number }>>(
    `select count(*)::int as n from registry_public.change_log where org_unit_ids::text[] && ?::text[]`,
    [sqlArray(world.unitIds)],
  );
  return row.n;
}

async function snapshot(): Promise<unknown> {
  const em = audit.em.fork();
  const machines = sqlArray(Object.values(world.machines));
  const units = sqlArray(world.unitIds);
  return {
    installs: await em.execute(`select machine_id, edition_id, basis, entitlement_id from audit.compliance_install where machine_id = any(?::uuid[]) order by 1, 2`, [machines]),
    statuses: await em.execute(`select machine_id, category, status from audit.compliance_machine_category where machine_id = any(?::uuid[]) order by 1, 2`, [machines]),
    units: await em.execute(`select * from audit.compliance_unit_category where org_unit_id = any(?::uuid[]) order by 1, 2`, [units]),
    positions: await em.execute(`select * from audit.compliance_position where org_unit_id = any(?::uuid[]) order by 1, 2`, [units]),
  };
}

async function fullRecompute(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await withAdvisoryXactLock(audit.em, COMPLIANCE_JOB, recomputeEverything)).acquired) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the compliance worker kept the lock for 10 s');
}
