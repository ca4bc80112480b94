import { deflateSync } from 'node:zlib';
import { uniqueCode } from '@genuine/kit/src/testing';
import { postAgent } from './support/agent-client';
import { gql, startTestStack, type GraphQLResponse, type RunningStack } from './support/stack';

/*
 * Who may do what, where (issue 6 → Tests): every role × operation × target inside / outside the token's scope,
 * through the gateway, both subgraphs and the agent endpoint. The setup builds a small tree as the unscoped
 * admin — root → A (→ A1) and root → B — with data in both, and one API token per role scoped to A. Each row
 * states the exact outcome for every role: the data, `null` where a nested field would escape the scope, the
 * error code (FORBIDDEN for a role lacking the permission, NOT_FOUND for single reads outside the scope), or a
 * filtered list. New operations (compliance, campaigns) are added by appending rows.
 */

const ROLES = ['ADMIN', 'ASSET_MANAGER', 'FINANCE', 'AUDITOR', 'VIEWER', 'AGENT'] as const;
type Role = (typeof ROLES)[number];
type Target = 'A' | 'B' | 'above' | 'scope';

/** What one role gets: exactly this `data` and no error, or an error with this code (data not compared). */
type Outcome = { data: unknown } | { error: string };
type Expectation = Record<Role, Outcome>;

interface Row {
  /** The operation, as named in the schema. */
  op: string;
  target: Target;
  /** What the row checks, in a few words. */
  what: string;
  query: string;
  vars?: (f: Fixture, role: Role) => Record<string, unknown>;
  expect: (f: Fixture) => Expectation;
  /** Makes order-free or volatile parts of `data` comparable (sorting, a predicate's verdict). */
  normalize?: (data: Record<string, unknown>, f: Fixture) => unknown;
}

const ok = (data: unknown): Outcome => ({ data });
const denied = (code: string): Outcome => ({ error: code });
const FORBIDDEN = denied('FORBIDDEN');
const NOT_FOUND = denied('NOT_FOUND');

/** The roles given get `granted`; every other role gets `otherwise` (FORBIDDEN unless said). */
function only(granted: readonly Role[], outcome: Outcome, otherwise: Outcome = FORBIDDEN): Expectation {
  return Object.fromEntries(ROLES.map((r) => [r, granted.includes(r) ? outcome : otherwise])) as Expectation;
}
/** Each of the roles given gets its own data (writes that name something per role). */
const perRoleOk = (granted: readonly Role[], data: (r: Role) => unknown): Partial<Expectation> => Object.fromEntries(granted.map((r) => [r, ok(data(r))]));
const READERS: readonly Role[] = ['ADMIN', 'ASSET_MANAGER', 'FINANCE', 'AUDITOR', 'VIEWER'];
const HISTORY_READERS: readonly Role[] = ['ADMIN', 'ASSET_MANAGER', 'FINANCE', 'AUDITOR'];
const KEY_READERS: readonly Role[] = ['ADMIN', 'ASSET_MANAGER'];
const CATALOGUE: readonly Role[] = ['ADMIN', 'ASSET_MANAGER'];
const FINANCE: readonly Role[] = ['ADMIN', 'FINANCE'];
const KEY_ADDERS: readonly Role[] = ['ADMIN', 'ASSET_MANAGER', 'FINANCE'];
const MACHINES: readonly Role[] = ['ADMIN', 'ASSET_MANAGER'];
const MACHINE_REGISTRARS: readonly Role[] = ['ADMIN', 'ASSET_MANAGER', 'AGENT'];
const SEATS: readonly Role[] = ['ADMIN', 'ASSET_MANAGER'];
const ADMINS: readonly Role[] = ['ADMIN'];

interface Fixture {
  run: string;
  root: string;
  a: string;
  a1: string;
  b: string;
  unitIds: Record<'root' | 'a' | 'a1' | 'b', string>;
  editionId: string;
  /** Hosts: the agent-reported ones, one per role in A (seat rows), one in A1, and the one moved from A to B. */
  hosts: { pcA: string; pcB: string; a1: string; mover: string; perRole: Record<Role, string> };
  /** The hardware uuid B's agent reported. */
  uuidB: string;
  machines: { pcA: string; pcB: string; mover: string; perRole: Record<Role, string> };
  titles: { a: string; b: string };
  purchases: { a: string; b: string; root: string };
  supplierB: string;
  /** A's purchase lines in line order: main (seats), keys, transferred (to B), assign (for assignLicense rows), one per role (transfer rows). */
  entitlements: { main: string; keys: string; transferred: string; assign: string; perRole: Record<Role, string>; b: string; root: string };
  assignments: { pcA: string; rootOnPcA: string; mover: string; perRole: Record<Role, string>; b: string };
  people: { a: string; b: string };
  keys: { a: string; b: string };
  tokens: Record<Role, string>;
  /** Tokens the scoped admin must not see nor revoke: one scoped to B, one for the whole organisation. */
  otherTokens: { b: string; everything: string };
}

let stack: RunningStack;
let f: Fixture;

/** As the unscoped admin; fails the setup on any error. */
async function admin<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(stack.graphqlUrl, query, variables);
  if (res.body.errors || !res.body.data) throw new Error(`setup failed: ${JSON.stringify(res.body.errors)}\n${query}`);
  return res.body.data;
}

function inventory(tag: string, host: string, titles: readonly string[], uuid = uniqueCode('uuid')): Buffer {
  const soft = titles.map((t) => `<SOFTWARES><NAME>${t}</NAME><VERSION>1.0</VERSION><PUBLISHER>Acl Soft</PUBLISHER></SOFTWARES>`).join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?><REQUEST><CONTENT><ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${tag}</KEYVALUE></ACCOUNTINFO><HARDWARE><NAME>${host}</NAME><UUID>${uuid}</UUID></HARDWARE>${soft}</CONTENT><DEVICEID>${uniqueCode(host)}</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`;
  return deflateSync(Buffer.from(xml, 'utf8'));
}

const OFFICE = 'Microsoft Office Professional Plus 2016';
/** The key as the API masks it: every letter or digit but the last four becomes `*`. */
const mask = (key: string) => {
  let visible = 4;
  return [...key].reverse().map((c) => (/[\p{L}\p{N}]/u.test(c) ? (visible-- > 0 ? c : '*') : c)).reverse().join('');
};
const lower = (r: Role) => r.toLowerCase().replace('_', '-');
const perRole = <T>(make: (r: Role) => T): Record<Role, T> => Object.fromEntries(ROLES.map((r) => [r, make(r)])) as Record<Role, T>;

async function buildFixture(): Promise<Fixture> {
  const run = uniqueCode('acl');
  const [root, a, a1, b] = ['root', 'a', 'a1', 'b'].map((s) => `${run}-${s}`);
  const unit = (code: string, parentCode: string | null) =>
    admin<{ createOrgUnit: { id: string } }>(`mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }`, { i: { code, name: code, kind: 'OTHER', parentCode } }).then((d) => d.createOrgUnit.id);
  const rootId = await unit(root, null);
  const [aId, bId] = await Promise.all([unit(a, root), unit(b, root)]);
  const a1Id = await unit(a1, a);

  const product = await admin<{ createProduct: { id: string } }>(`mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
    i: { publisher: 'Acl Soft', name: `${run} Suite`, category: 'OFFICE', licensable: true },
  });
  const edition = await admin<{ createEdition: { id: string } }>(`mutation($i: CreateEditionInput!) { createEdition(input: $i) { id } }`, {
    i: { productId: product.createProduct.id, name: `${run} Suite 1`, metric: 'PER_DEVICE', listPrice: { amount: '100', currency: 'CNY' } },
  });
  const editionId = edition.createEdition.id;

  const titles = { a: `${run} Tool A`, b: `${run} Tool B` };
  const hosts = { pcA: `${run}-pc-a`, pcB: `${run}-pc-b`, a1: `${run}-a1-pc`, mover: `${run}-mover`, perRole: perRole((r) => `${run}-seat-${lower(r)}`) };
  const uuidB = uniqueCode('uuid-b');
  for (const [tag, host, title, uuid] of [[a, hosts.pcA, titles.a, undefined], [b, hosts.pcB, titles.b, uuidB]] as const) {
    const res = await postAgent(stack.baseUrl, inventory(tag, host, [title, OFFICE], uuid));
    if (res.status !== 200) throw new Error(`setup inventory refused: ${res.status} ${res.text}`);
  }
  const machineId = async (code: string, host: string) => {
    const d = await admin<{ machines: { edges: Array<{ node: { id: string } }> } }>(`query($f: MachineFilter) { machines(filter: $f) { edges { node { id } } } }`, { f: { orgUnitCode: code, search: host } });
    const [edge] = d.machines.edges;
    if (!edge) throw new Error(`setup: no machine ${host}`);
    return edge.node.id;
  };
  const registered = await admin<{ registerMachines: Array<{ id: string }> }>(`mutation($i: RegisterMachinesInput!) { registerMachines(input: $i) { id } }`, {
    i: {
      machines: [
        ...ROLES.map((r) => ({ orgUnitCode: a, hostname: hosts.perRole[r], kind: 'DESKTOP' })),
        { orgUnitCode: a, hostname: hosts.mover, kind: 'LAPTOP' },
        { orgUnitCode: a1, hostname: hosts.a1, kind: 'DESKTOP' },
      ],
    },
  });
  const machines = {
    pcA: await machineId(a, hosts.pcA),
    pcB: await machineId(b, hosts.pcB),
    mover: registered.registerMachines[ROLES.length].id,
    perRole: perRole((r) => registered.registerMachines[ROLES.indexOf(r)].id),
  };

  const supplierB = `${run} Supplier B`;
  const purchase = (orgUnitCode: string, supplier: string, lines: Array<{ quantity: number; unitPrice: string }>) =>
    admin<{ recordPurchase: { id: string; entitlements: Array<{ id: string }> } }>(`mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { id entitlements { id } } }`, {
      i: { orgUnitCode, supplier, orderNumber: uniqueCode('PO'), purchasedOn: '2026-01-10', currency: 'CNY', lines: lines.map((l) => ({ ...l, editionId })) },
    }).then((d) => d.recordPurchase);
  const [pa, pb, proot] = await Promise.all([
    purchase(a, `${run} Supplier A`, [{ quantity: 50, unitPrice: '10' }, { quantity: 1, unitPrice: '10' }, { quantity: 1, unitPrice: '10' }, { quantity: 10, unitPrice: '10' }, ...ROLES.map(() => ({ quantity: 1, unitPrice: '1' }))]),
    purchase(b, supplierB, [{ quantity: 5, unitPrice: '10' }]),
    purchase(root, `${run} Supplier Root`, [{ quantity: 5, unitPrice: '10' }]),
  ]);
  const [main, keys, transferred, assign, ...rest] = pa.entitlements.map((e) => e.id);
  const entitlements = { main, keys, transferred, assign, perRole: perRole((r) => rest[ROLES.indexOf(r)]), b: pb.entitlements[0].id, root: proot.entitlements[0].id };
  await admin(`mutation($i: TransferEntitlementInput!) { transferEntitlement(input: $i) { id } }`, { i: { entitlementId: transferred, toOrgUnitCode: b } });

  const seat = (entitlementId: string, machineId: string) =>
    admin<{ assignLicense: { id: string } }>(`mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { id } }`, { i: { entitlementId, machineId } }).then((d) => d.assignLicense.id);
  const assignments = {
    pcA: await seat(main, machines.pcA),
    rootOnPcA: await seat(entitlements.root, machines.pcA),
    mover: await seat(main, machines.mover),
    b: await seat(entitlements.b, machines.pcB),
    perRole: {} as Record<Role, string>,
  };
  for (const r of ROLES) assignments.perRole[r] = await seat(main, machines.perRole[r]);
  // The mover keeps its seat of A's entitlement when it moves to B: A's readers see the seat, not the machine.
  await admin(`mutation($i: MoveMachineInput!) { moveMachine(input: $i) { id } }`, { i: { machineId: machines.mover, toOrgUnitCode: b } });

  const licenseKeys = { a: `${run.toUpperCase()}-AAAAA-KEY01`, b: `${run.toUpperCase()}-BBBBB-KEY02` };
  await admin(`mutation($i: AddLicenseKeysInput!) { addLicenseKeys(input: $i) { id } }`, { i: { entitlementId: keys, keys: [licenseKeys.a] } });
  await admin(`mutation($i: AddLicenseKeysInput!) { addLicenseKeys(input: $i) { id } }`, { i: { entitlementId: entitlements.b, keys: [licenseKeys.b] } });

  const person = (orgUnitCode: string) =>
    admin<{ createPerson: { id: string } }>(`mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }`, { i: { orgUnitCode, name: `${run} person` } }).then((d) => d.createPerson.id);
  const people = { a: await person(a), b: await person(b) };

  const tokens = {} as Record<Role, string>;
  await Promise.all(
    ROLES.map(async (role) => {
      const d = await admin<{ createApiToken: { token: string } }>(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`, { i: { name: `acl ${role}`, role, orgUnitCode: a } });
      tokens[role] = d.createApiToken.token;
    }),
  );
  const otherToken = (orgUnitCode: string | null) =>
    admin<{ createApiToken: { apiToken: { id: string } } }>(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { apiToken { id } } }`, { i: { name: 'acl other', role: 'VIEWER', orgUnitCode } }).then((d) => d.createApiToken.apiToken.id);
  const otherTokens = { b: await otherToken(b), everything: await otherToken(null) };
  return {
    otherTokens,
    run, root, a, a1, b,
    unitIds: { root: rootId, a: aId, a1: a1Id, b: bId },
    editionId, hosts, uuidB, machines, titles,
    purchases: { a: pa.id, b: pb.id, root: proot.id },
    supplierB, entitlements, assignments, people, keys: licenseKeys, tokens,
  };
}

beforeAll(async () => {
  stack = await startTestStack({ GENUINE_LICENSE_KEY_SECRET: 'c3'.repeat(32) });
  f = await buildFixture();
}, 120_000);
afterAll(() => stack?.stop());

/** The machines of A's subtree after the setup, by host name: A's own and A1's. */
const hostsOfA = (fx: Fixture) => [fx.hosts.pcA, fx.hosts.a1, ...ROLES.map((r) => fx.hosts.perRole[r])].sort();
const sortedHosts = (edges: Array<{ node: { hostname: string | null } }>) => edges.map((e) => e.node.hostname).sort();
type Edges<T> = { totalCount: number; edges: Array<{ node: T }> };

// Reads run before writes, so the counts they pin are those of the setup.
const READS: Row[] = [
  // Org units
  {
    op: 'orgUnit', target: 'A', what: 'own unit; parent above the scope is null; children and descendants inside',
    query: `query($c: String!) { orgUnit(code: $c) { code parent { code } children { code } descendants { totalCount edges { node { code } } } } }`,
    vars: (fx) => ({ c: fx.a }),
    expect: (fx) => only(READERS, ok({ orgUnit: { code: fx.a, parent: null, children: [{ code: fx.a1 }], descendants: { totalCount: 1, edges: [{ node: { code: fx.a1 } }] } } })),
  },
  { op: 'orgUnit', target: 'B', what: 'a sibling unit', query: `query($c: String!) { orgUnit(code: $c) { code } }`, vars: (fx) => ({ c: fx.b }), expect: () => only(READERS, NOT_FOUND) },
  { op: 'orgUnit', target: 'above', what: 'the parent of the scope', query: `query($c: String!) { orgUnit(code: $c) { code } }`, vars: (fx) => ({ c: fx.root }), expect: () => only(READERS, NOT_FOUND) },
  {
    op: 'orgUnit.machines', target: 'A', what: "a unit's own machines and their count",
    query: `query($c: String!) { orgUnit(code: $c) { machines(first: 50) { totalCount edges { node { hostname } } } } }`,
    vars: (fx) => ({ c: fx.a }),
    normalize: (d) => {
      const m = (d.orgUnit as { machines: Edges<{ hostname: string }> }).machines;
      return { totalCount: m.totalCount, hosts: sortedHosts(m.edges) };
    },
    expect: (fx) => only(READERS, ok({ totalCount: 7, hosts: hostsOfA(fx).filter((h) => h !== fx.hosts.a1) })),
  },

  // Machines (registry) and their nested fields
  {
    op: 'machine', target: 'A', what: 'own machine; Machine.orgUnit.parent above the scope is null',
    query: `query($id: ID!) { machine(id: $id) { hostname orgUnit { code parent { code } } } }`,
    vars: (fx) => ({ id: fx.machines.pcA }),
    expect: (fx) => only(READERS, ok({ machine: { hostname: fx.hosts.pcA, orgUnit: { code: fx.a, parent: null } } })),
  },
  { op: 'machine', target: 'B', what: "a sibling unit's machine", query: `query($id: ID!) { machine(id: $id) { hostname } }`, vars: (fx) => ({ id: fx.machines.pcB }), expect: () => only(READERS, NOT_FOUND) },
  {
    op: 'machines', target: 'scope', what: 'the whole scope: A and A1, never B; totalCount agrees',
    query: `{ machines(first: 500) { totalCount edges { node { hostname } } } }`,
    normalize: (d) => {
      const m = d.machines as Edges<{ hostname: string }>;
      return { totalCount: m.totalCount, hosts: sortedHosts(m.edges) };
    },
    expect: (fx) => only(READERS, ok({ totalCount: 8, hosts: hostsOfA(fx) })),
  },
  {
    op: 'machines', target: 'B', what: 'searching for a machine of B finds nothing, and counts nothing',
    query: `query($s: String) { machines(filter: { search: $s }) { totalCount edges { node { hostname } } } }`,
    vars: (fx) => ({ s: fx.hosts.pcB }),
    expect: () => only(READERS, ok({ machines: { totalCount: 0, edges: [] } })),
  },
  { op: 'machines', target: 'B', what: 'filtered by a unit outside the scope', query: `query($c: String) { machines(filter: { orgUnitCode: $c }) { totalCount } }`, vars: (fx) => ({ c: fx.b }), expect: () => only(READERS, NOT_FOUND) },
  {
    op: 'Machine.assignments', target: 'A', what: "a seat of an entitlement owned above the scope shows, its entitlement is null",
    query: `query($id: ID!) { machine(id: $id) { assignments { entitlement { id } } } }`,
    vars: (fx) => ({ id: fx.machines.pcA }),
    normalize: (d) => ((d.machine as { assignments: Array<{ entitlement: { id: string } | null }> }).assignments.map((a) => a.entitlement?.id ?? null)).sort(),
    expect: (fx) => only(READERS, ok([fx.entitlements.main, null])),
  },

  // Entitlements, purchases, people, keys
  {
    op: 'entitlement', target: 'A', what: 'Entitlement.orgUnit; Assignment.machine of a seat held in B is null',
    query: `query($id: ID!) { entitlement(id: $id) { orgUnit { code } assignedSeats assignments(first: 50) { totalCount edges { node { machine { hostname } } } } } }`,
    vars: (fx) => ({ id: fx.entitlements.main }),
    normalize: (d) => {
      const e = d.entitlement as { orgUnit: { code: string }; assignedSeats: number; assignments: Edges<{ machine: { hostname: string } | null }> };
      return { unit: e.orgUnit.code, seats: e.assignedSeats, count: e.assignments.totalCount, hosts: e.assignments.edges.map((x) => x.node.machine?.hostname ?? null).sort() };
    },
    expect: (fx) => only(READERS, ok({ unit: fx.a, seats: 8, count: 8, hosts: [...[fx.hosts.pcA, ...ROLES.map((r) => fx.hosts.perRole[r])].sort(), null] })),
  },
  { op: 'entitlement', target: 'B', what: "B's entitlement", query: `query($id: ID!) { entitlement(id: $id) { id } }`, vars: (fx) => ({ id: fx.entitlements.b }), expect: () => only(READERS, NOT_FOUND) },
  { op: 'entitlement', target: 'above', what: 'an entitlement owned by the root', query: `query($id: ID!) { entitlement(id: $id) { id } }`, vars: (fx) => ({ id: fx.entitlements.root }), expect: () => only(READERS, NOT_FOUND) },
  {
    op: 'entitlements', target: 'scope', what: "A's lines, not the one transferred to B nor the root's",
    query: `{ entitlements(first: 500) { totalCount edges { node { id } } } }`,
    normalize: (d) => {
      const e = d.entitlements as Edges<{ id: string }>;
      return { totalCount: e.totalCount, ids: e.edges.map((x) => x.node.id).sort() };
    },
    expect: (fx) => only(READERS, ok({ totalCount: 9, ids: [fx.entitlements.main, fx.entitlements.keys, fx.entitlements.assign, ...ROLES.map((r) => fx.entitlements.perRole[r])].sort() })),
  },
  {
    op: 'purchase', target: 'A', what: 'Purchase.entitlements leaves out the line transferred to B',
    query: `query($id: ID!) { purchase(id: $id) { orgUnit { code } entitlements { id } } }`,
    vars: (fx) => ({ id: fx.purchases.a }),
    expect: (fx) => only(READERS, ok({ purchase: { orgUnit: { code: fx.a }, entitlements: [fx.entitlements.main, fx.entitlements.keys, fx.entitlements.assign, ...ROLES.map((r) => fx.entitlements.perRole[r])].map((id) => ({ id })) } })),
  },
  { op: 'purchase', target: 'B', what: "B's purchase", query: `query($id: ID!) { purchase(id: $id) { id } }`, vars: (fx) => ({ id: fx.purchases.b }), expect: () => only(READERS, NOT_FOUND) },
  { op: 'purchases', target: 'scope', what: "only A's purchase", query: `{ purchases(first: 500) { totalCount } }`, expect: () => only(READERS, ok({ purchases: { totalCount: 1 } })) },
  {
    op: 'person', target: 'A', what: 'a person of A', query: `query($id: ID!) { person(id: $id) { orgUnit { code } } }`, vars: (fx) => ({ id: fx.people.a }),
    expect: (fx) => only(READERS, ok({ person: { orgUnit: { code: fx.a } } })),
  },
  { op: 'person', target: 'B', what: 'a person of B', query: `query($id: ID!) { person(id: $id) { id } }`, vars: (fx) => ({ id: fx.people.b }), expect: () => only(READERS, NOT_FOUND) },
  {
    op: 'suppliers', target: 'B', what: 'the supplier only B bought from', query: `query($s: String) { suppliers(filter: { search: $s }) { totalCount edges { node { name } } } }`,
    vars: (fx) => ({ s: fx.supplierB }),
    expect: () => only(READERS, ok({ suppliers: { totalCount: 0, edges: [] } })),
  },
  { op: 'people', target: 'scope', what: "only A's people", query: `{ people(first: 500) { totalCount } }`, expect: () => only(READERS, ok({ people: { totalCount: 1 } })) },
  {
    op: 'Entitlement.licenseKeys', target: 'A', what: 'whole for ADMIN and ASSET_MANAGER, masked for the other readers',
    query: `query($id: ID!) { entitlement(id: $id) { licenseKeys { totalCount edges { node { masked key } } } } }`,
    vars: (fx) => ({ id: fx.entitlements.keys }),
    expect: (fx) => {
      const view = (key: string | null) => ok({ entitlement: { licenseKeys: { totalCount: 1, edges: [{ node: { masked: mask(fx.keys.a), key } }] } } });
      return { ...only(KEY_READERS, view(fx.keys.a), view(null)), AGENT: FORBIDDEN };
    },
  },

  // Money and the audit trail
  {
    op: 'spend', target: 'scope', what: "A's purchases only", query: `{ spend { totals { amount currency } } }`,
    expect: () => only(FINANCE, ok({ spend: { totals: [{ amount: '626.00', currency: 'CNY' }] } })),
  },
  { op: 'spend', target: 'B', what: 'filtered by a unit outside the scope', query: `query($c: String) { spend(filter: { orgUnitCode: $c }) { totals { amount } } }`, vars: (fx) => ({ c: fx.b }), expect: () => only(FINANCE, NOT_FOUND) },
  {
    op: 'history', target: 'A', what: "a machine of A's trail", query: `query($id: ID!) { history(entityId: $id) { edges { node { action } } } }`, vars: (fx) => ({ id: fx.machines.pcA }),
    expect: () => only(HISTORY_READERS, ok({ history: { edges: [{ node: { action: 'machine.register' } }] } })),
  },
  {
    op: 'history', target: 'B', what: "a machine of B's trail is empty", query: `query($id: ID!) { history(entityId: $id) { totalCount edges { node { action } } } }`, vars: (fx) => ({ id: fx.machines.pcB }),
    expect: () => only(HISTORY_READERS, ok({ history: { totalCount: 0, edges: [] } })),
  },
  { op: 'auditEvents', target: 'B', what: 'filtered by a unit outside the scope', query: `query($c: String) { auditEvents(filter: { orgUnitCode: $c }) { totalCount } }`, vars: (fx) => ({ c: fx.b }), expect: () => only(HISTORY_READERS, NOT_FOUND) },
  {
    op: 'auditEvents', target: 'scope', what: "A's events, none about B's entities nor organisation-wide tokens",
    query: `{ auditEvents(first: 500) { edges { node { entity entityId after } } } }`,
    normalize: (d, fx) => {
      const events = (d.auditEvents as Edges<{ entity: string; entityId: string; after: Record<string, unknown> | null }>).edges.map((e) => e.node);
      const ofB = new Set([fx.unitIds.b, fx.unitIds.root, fx.machines.pcB, fx.entitlements.b, fx.entitlements.root, fx.purchases.b, fx.purchases.root, fx.people.b, fx.assignments.b]);
      return {
        seesA: events.some((e) => e.entityId === fx.machines.pcA),
        aboutB: events.filter((e) => ofB.has(e.entityId)).map((e) => `${e.entity} ${e.entityId}`),
        unscopedTokens: events.filter((e) => e.entity === 'api_token' && (e.after?.scopeUnitId ?? null) === null).length,
      };
    },
    expect: () => only(HISTORY_READERS, ok({ seesA: true, aboutB: [], unscopedTokens: 0 })),
  },
  {
    op: 'apiTokens', target: 'scope', what: 'only tokens scoped inside A', query: `{ apiTokens(first: 500) { edges { node { orgUnitCode } } } }`,
    normalize: (d) => [...new Set((d.apiTokens as Edges<{ orgUnitCode: string | null }>).edges.map((e) => e.node.orgUnitCode))],
    expect: (fx) => only(ADMINS, ok([fx.a])),
  },

  // The audit subgraph
  {
    op: 'Machine.installations', target: 'A', what: "own machine's installations and reports",
    query: `query($id: ID!) { machine(id: $id) { installations { totalCount edges { node { rawName } } } inventoryReports { totalCount } } }`,
    vars: (fx) => ({ id: fx.machines.pcA }),
    normalize: (d) => {
      const m = d.machine as { installations: Edges<{ rawName: string }>; inventoryReports: { totalCount: number } };
      return { installs: m.installations.edges.map((e) => e.node.rawName).sort(), count: m.installations.totalCount, reports: m.inventoryReports.totalCount };
    },
    expect: (fx) => only(READERS, ok({ installs: [OFFICE, fx.titles.a].sort(), count: 2, reports: 1 })),
  },
  {
    op: 'Machine.installations', target: 'B', what: "B's machine is not found before the audit subgraph is asked",
    query: `query($id: ID!) { machine(id: $id) { installations { totalCount } inventoryReports { totalCount } } }`,
    vars: (fx) => ({ id: fx.machines.pcB }),
    expect: () => only(READERS, NOT_FOUND),
  },
  {
    op: 'unrecognizedTitles', target: 'scope', what: "A's unrecognized titles only",
    query: `query($s: String) { unrecognizedTitles(filter: { search: $s }) { totalCount edges { node { name machineCount } } } }`,
    vars: (fx) => ({ s: fx.run }),
    expect: (fx) => only(READERS, ok({ unrecognizedTitles: { totalCount: 1, edges: [{ node: { name: fx.titles.a, machineCount: 1 } }] } })),
  },
  {
    op: 'unrecognizedTitles', target: 'B', what: 'filtered by a unit outside the scope',
    query: `query($c: String) { unrecognizedTitles(filter: { orgUnitCode: $c }) { totalCount } }`, vars: (fx) => ({ c: fx.b }),
    expect: () => only(READERS, NOT_FOUND),
  },
  {
    op: 'staleMachines', target: 'scope', what: "A's subtree only (never seen counts)", query: `{ staleMachines(filter: { notSeenForDays: 0 }) { totalCount } }`,
    expect: () => only(READERS, ok({ staleMachines: { totalCount: 8 } })),
  },
  {
    op: 'staleMachines', target: 'B', what: 'filtered by a unit outside the scope',
    query: `query($c: String) { staleMachines(filter: { orgUnitCode: $c, notSeenForDays: 0 }) { totalCount } }`, vars: (fx) => ({ c: fx.b }),
    expect: () => only(READERS, NOT_FOUND),
  },
  {
    op: 'recognize', target: 'scope', what: 'organisation-wide rules, read by every reader', query: `query($n: String!) { recognize(rawName: $n) { recognized } }`, vars: () => ({ n: OFFICE }),
    expect: () => only(READERS, ok({ recognize: { recognized: true } })),
  },
];

const WRITES: Row[] = [
  // Org units
  {
    op: 'createOrgUnit', target: 'A', what: 'under a unit of the scope',
    query: `mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { parent { code } } }`,
    vars: (fx, r) => ({ i: { code: `${fx.run}-new-${lower(r)}`, name: 'x', kind: 'OTHER', parentCode: fx.a } }),
    expect: (fx) => only(ADMINS, ok({ createOrgUnit: { parent: { code: fx.a } } })),
  },
  {
    op: 'createOrgUnit', target: 'B', what: 'under a unit outside the scope',
    query: `mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }`,
    vars: (fx, r) => ({ i: { code: `${fx.run}-newb-${lower(r)}`, name: 'x', kind: 'OTHER', parentCode: fx.b } }),
    expect: () => only(ADMINS, NOT_FOUND),
  },
  {
    op: 'createOrgUnit', target: 'above', what: 'a new root',
    query: `mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }`,
    vars: (fx, r) => ({ i: { code: `${fx.run}-newroot-${lower(r)}`, name: 'x', kind: 'OTHER' } }),
    expect: () => only(ADMINS, FORBIDDEN),
  },

  // Machines
  {
    op: 'registerMachine', target: 'A', what: 'in a unit of the scope',
    query: `mutation($i: RegisterMachineInput!) { registerMachine(input: $i) { kind } }`,
    vars: (fx, r) => ({ i: { orgUnitCode: fx.a1, hostname: `${fx.run}-reg-${lower(r)}`, kind: 'SERVER' } }),
    expect: () => only(MACHINE_REGISTRARS, ok({ registerMachine: { kind: 'SERVER' } })),
  },
  {
    op: 'registerMachine', target: 'B', what: 'in a unit outside the scope',
    query: `mutation($i: RegisterMachineInput!) { registerMachine(input: $i) { id } }`,
    vars: (fx, r) => ({ i: { orgUnitCode: fx.b, hostname: `${fx.run}-regb-${lower(r)}`, kind: 'SERVER' } }),
    expect: () => only(MACHINE_REGISTRARS, NOT_FOUND),
  },
  {
    op: 'registerMachine', target: 'B', what: "B's machine by its hardware uuid, into A: refused, B's machine untouched",
    query: `mutation($i: RegisterMachineInput!) { registerMachine(input: $i) { id } }`,
    vars: (fx) => ({ i: { orgUnitCode: fx.a, uuid: fx.uuidB, kind: 'DESKTOP' } }),
    expect: () => only(MACHINE_REGISTRARS, denied('CONFLICT')),
  },
  {
    op: 'moveMachine', target: 'B', what: "A's machine into B",
    query: `mutation($i: MoveMachineInput!) { moveMachine(input: $i) { id } }`,
    vars: (fx) => ({ i: { machineId: fx.machines.pcA, toOrgUnitCode: fx.b } }),
    expect: () => only(MACHINES, NOT_FOUND),
  },
  {
    op: 'moveMachine', target: 'B', what: "B's machine into A",
    query: `mutation($i: MoveMachineInput!) { moveMachine(input: $i) { id } }`,
    vars: (fx) => ({ i: { machineId: fx.machines.pcB, toOrgUnitCode: fx.a } }),
    expect: () => only(MACHINES, NOT_FOUND),
  },
  {
    op: 'retireMachine', target: 'B', what: "B's machine", query: `mutation($i: RetireMachineInput!) { retireMachine(input: $i) { id } }`,
    vars: (fx) => ({ i: { machineId: fx.machines.pcB } }),
    expect: () => only(MACHINES, NOT_FOUND),
  },
  {
    op: 'setMachineOperator', target: 'B', what: "a person of B as operator of A's machine, answered as for no such person",
    query: `mutation($i: SetMachineOperatorInput!) { setMachineOperator(input: $i) { id } }`,
    vars: (fx) => ({ i: { machineId: fx.machines.pcA, personId: fx.people.b } }),
    expect: () => only(MACHINES, NOT_FOUND),
  },
  {
    op: 'createPerson', target: 'B', what: 'in a unit outside the scope', query: `mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }`,
    vars: (fx, r) => ({ i: { orgUnitCode: fx.b, name: `x ${r}` } }),
    expect: () => only(MACHINES, NOT_FOUND),
  },

  // Finance
  {
    op: 'recordPurchase', target: 'A', what: 'for a unit of the scope',
    query: `mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { orgUnit { code } entitlements { quantity } } }`,
    vars: (fx, r) => ({ i: { orgUnitCode: fx.a1, supplier: 'x', orderNumber: `${fx.run}-${r}`, purchasedOn: '2026-02-01', currency: 'CNY', lines: [{ editionId: fx.editionId, quantity: 2, unitPrice: '1' }] } }),
    expect: (fx) => only(FINANCE, ok({ recordPurchase: { orgUnit: { code: fx.a1 }, entitlements: [{ quantity: 2 }] } })),
  },
  {
    op: 'recordPurchase', target: 'B', what: 'for a unit outside the scope',
    query: `mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { id } }`,
    vars: (fx, r) => ({ i: { orgUnitCode: fx.b, supplier: 'x', orderNumber: `${fx.run}-b-${r}`, purchasedOn: '2026-02-01', currency: 'CNY', lines: [{ editionId: fx.editionId, quantity: 2, unitPrice: '1' }] } }),
    expect: () => only(FINANCE, NOT_FOUND),
  },
  {
    op: 'transferEntitlement', target: 'A', what: 'to a unit of the scope',
    query: `mutation($i: TransferEntitlementInput!) { transferEntitlement(input: $i) { orgUnit { code } } }`,
    vars: (fx, r) => ({ i: { entitlementId: fx.entitlements.perRole[r], toOrgUnitCode: fx.a1 } }),
    expect: (fx) => only(FINANCE, ok({ transferEntitlement: { orgUnit: { code: fx.a1 } } })),
  },
  {
    op: 'transferEntitlement', target: 'B', what: "A's entitlement to B",
    query: `mutation($i: TransferEntitlementInput!) { transferEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.assign, toOrgUnitCode: fx.b } }),
    expect: () => only(FINANCE, NOT_FOUND),
  },
  {
    op: 'transferEntitlement', target: 'B', what: "B's entitlement to A",
    query: `mutation($i: TransferEntitlementInput!) { transferEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.b, toOrgUnitCode: fx.a } }),
    expect: () => only(FINANCE, NOT_FOUND),
  },
  {
    op: 'updateEntitlement', target: 'B', what: "B's entitlement", query: `mutation($i: UpdateEntitlementInput!) { updateEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { id: fx.entitlements.b, quantity: 99 } }),
    expect: () => only(FINANCE, NOT_FOUND),
  },
  {
    op: 'retireEntitlement', target: 'B', what: "B's entitlement", query: `mutation($i: RetireEntitlementInput!) { retireEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { id: fx.entitlements.b } }),
    expect: () => only(FINANCE, NOT_FOUND),
  },

  // Seats
  {
    op: 'assignLicense', target: 'A', what: "A's entitlement to A's machine",
    query: `mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { active machine { hostname } } }`,
    vars: (fx, r) => ({ i: { entitlementId: fx.entitlements.assign, machineId: fx.machines.perRole[r] } }),
    expect: (fx) => ({ ...only(SEATS, FORBIDDEN), ...perRoleOk(SEATS, (r) => ({ assignLicense: { active: true, machine: { hostname: fx.hosts.perRole[r] } } })) }),
  },
  {
    op: 'assignLicense', target: 'B', what: "B's entitlement to B's machine",
    query: `mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.b, machineId: fx.machines.pcB } }),
    expect: () => only(SEATS, NOT_FOUND),
  },
  {
    op: 'assignLicense', target: 'B', what: "A's entitlement to B's machine",
    query: `mutation($i: AssignLicenseInput!) { assignLicense(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.assign, machineId: fx.machines.pcB } }),
    expect: () => only(SEATS, NOT_FOUND),
  },
  {
    op: 'assignLicenseToSubtree', target: 'B', what: "A's entitlement over B's subtree",
    query: `mutation($i: AssignLicenseToSubtreeInput!) { assignLicenseToSubtree(input: $i) { stillLacking } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.assign, orgUnitCode: fx.b } }),
    expect: () => only(SEATS, NOT_FOUND),
  },
  {
    op: 'revokeAssignment', target: 'A', what: "a seat of A's entitlement on A's machine",
    query: `mutation($i: RevokeAssignmentInput!) { revokeAssignment(input: $i) { active } }`,
    vars: (fx, r) => ({ i: { assignmentId: fx.assignments.perRole[r] } }),
    expect: () => only(SEATS, ok({ revokeAssignment: { active: false } })),
  },
  {
    op: 'revokeAssignment', target: 'B', what: "a seat of B's entitlement on B's machine",
    query: `mutation($i: RevokeAssignmentInput!) { revokeAssignment(input: $i) { id } }`,
    vars: (fx) => ({ i: { assignmentId: fx.assignments.b } }),
    expect: () => only(SEATS, NOT_FOUND),
  },
  {
    op: 'bindOemEntitlement', target: 'A', what: "A's entitlement to A's machine: past permission and scope, refused as no OEM license",
    query: `mutation($i: BindOemEntitlementInput!) { bindOemEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.assign, machineId: fx.machines.pcA } }),
    expect: () => only(SEATS, denied('BAD_USER_INPUT')),
  },
  {
    op: 'bindOemEntitlement', target: 'B', what: "B's entitlement to B's machine",
    query: `mutation($i: BindOemEntitlementInput!) { bindOemEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.b, machineId: fx.machines.pcB } }),
    expect: () => only(SEATS, NOT_FOUND),
  },
  {
    op: 'bindOemEntitlement', target: 'B', what: "A's entitlement to B's machine, answered as for no such machine",
    query: `mutation($i: BindOemEntitlementInput!) { bindOemEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.assign, machineId: fx.machines.pcB } }),
    expect: () => only(SEATS, NOT_FOUND),
  },
  {
    op: 'unbindOemEntitlement', target: 'A', what: "A's entitlement, bound to no machine",
    query: `mutation($i: UnbindOemEntitlementInput!) { unbindOemEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.assign } }),
    expect: () => only(SEATS, denied('CONFLICT')),
  },
  {
    op: 'unbindOemEntitlement', target: 'B', what: "B's entitlement",
    query: `mutation($i: UnbindOemEntitlementInput!) { unbindOemEntitlement(input: $i) { id } }`,
    vars: (fx) => ({ i: { entitlementId: fx.entitlements.b } }),
    expect: () => only(SEATS, NOT_FOUND),
  },

  // License keys
  {
    op: 'addLicenseKeys', target: 'A', what: "to A's entitlement; the answer is masked",
    query: `mutation($i: AddLicenseKeysInput!) { addLicenseKeys(input: $i) { masked } }`,
    vars: (fx, r) => ({ i: { entitlementId: fx.entitlements.main, keys: [`ADD-${lower(r)}-${fx.run}`.toUpperCase()] } }),
    expect: (fx) => ({ ...only(KEY_ADDERS, FORBIDDEN), ...perRoleOk(KEY_ADDERS, (r) => ({ addLicenseKeys: [{ masked: mask(`ADD-${lower(r)}-${fx.run}`.toUpperCase()) }] })) }),
  },
  {
    op: 'addLicenseKeys', target: 'B', what: "to B's entitlement",
    query: `mutation($i: AddLicenseKeysInput!) { addLicenseKeys(input: $i) { id } }`,
    vars: (fx, r) => ({ i: { entitlementId: fx.entitlements.b, keys: [`B-${r}-${fx.run}`] } }),
    expect: () => only(KEY_ADDERS, NOT_FOUND),
  },

  // The organisation-wide catalogue and rules: changed only with an unscoped token
  {
    op: 'createProduct', target: 'scope', what: 'the shared catalogue, from a scoped token',
    query: `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`,
    vars: (fx, r) => ({ i: { publisher: 'Acl Soft', name: `${fx.run} product ${r}`, category: 'OTHER', licensable: true } }),
    expect: () => only(CATALOGUE, FORBIDDEN),
  },
  {
    op: 'updateEdition', target: 'scope', what: "the list price B's shortfall cost uses, from a scoped token",
    query: `mutation($i: UpdateEditionInput!) { updateEdition(input: $i) { id } }`,
    vars: (fx) => ({ i: { id: fx.editionId, listPrice: { amount: '1', currency: 'CNY' } } }),
    expect: () => only(CATALOGUE, FORBIDDEN),
  },
  {
    op: 'importCatalogue', target: 'scope', what: 'the shared catalogue, from a scoped token',
    query: `mutation($i: ImportCatalogueInput!) { importCatalogue(input: $i) { created } }`,
    vars: (fx, r) => ({ i: { products: [{ code: `${fx.run}-${lower(r)}`, publisher: 'Acl Soft', name: `${fx.run} import ${r}`, category: 'OTHER', licensable: false }], editions: [] } }),
    expect: () => only(CATALOGUE, FORBIDDEN),
  },
  {
    op: 'replayNormalization', target: 'scope', what: 'organisation-wide, from a scoped token', query: `mutation { replayNormalization(input: { onlyUnrecognized: true }) { titlesChanged } }`,
    expect: () => only(['ADMIN', 'ASSET_MANAGER'], FORBIDDEN),
  },
  {
    op: 'addNormalizationRule', target: 'scope', what: 'organisation-wide rules, from a scoped token',
    query: `mutation($i: AddNormalizationRuleInput!) { addNormalizationRule(input: $i) { id } }`,
    vars: (fx) => ({ i: { namePattern: `^${fx.run} never$`, ignore: true } }),
    expect: () => only(['ADMIN', 'ASSET_MANAGER'], FORBIDDEN),
  },

  // Tokens
  {
    op: 'createApiToken', target: 'A', what: 'scoped inside the own scope', query: `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { apiToken { orgUnitCode role } } }`,
    vars: (fx) => ({ i: { name: 'child', role: 'VIEWER', orgUnitCode: fx.a1 } }),
    expect: (fx) => only(ADMINS, ok({ createApiToken: { apiToken: { orgUnitCode: fx.a1, role: 'VIEWER' } } })),
  },
  {
    op: 'revokeApiToken', target: 'B', what: 'a token scoped to B', query: `mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { id } }`,
    vars: (fx) => ({ i: { id: fx.otherTokens.b } }),
    expect: () => only(ADMINS, NOT_FOUND),
  },
  {
    op: 'revokeApiToken', target: 'above', what: 'a token for the whole organisation', query: `mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { id } }`,
    vars: (fx) => ({ i: { id: fx.otherTokens.everything } }),
    expect: () => only(ADMINS, NOT_FOUND),
  },
  {
    op: 'createApiToken', target: 'B', what: 'scoped to a unit outside the scope', query: `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
    vars: (fx) => ({ i: { name: 'wider', role: 'VIEWER', orgUnitCode: fx.b } }),
    expect: () => only(ADMINS, NOT_FOUND),
  },
];

/** What a role got, in the shape of what it was expected to get. */
function observe(res: GraphQLResponse, expected: Outcome, row: Row): Outcome | { error: string; data: unknown } {
  const codes = res.body.errors?.map((e) => String(e.extensions?.code)).join(' ');
  if ('error' in expected) return codes ? { error: codes } : { data: res.body.data };
  if (codes) return { error: codes, data: res.body.data };
  const data = (res.body.data ?? {}) as Record<string, unknown>;
  return { data: row.normalize ? row.normalize(data, f) : data };
}

async function runRow(row: Row): Promise<void> {
  const expected = row.expect(f);
  const observed = Object.fromEntries(
    await Promise.all(
      ROLES.map(async (role) => {
        const res = await gql(stack.graphqlUrl, row.query, row.vars?.(f, role) ?? {}, { token: f.tokens[role] });
        return [role, observe(res, expected[role], row)] as const;
      }),
    ),
  );
  expect(observed).toEqual(expected);
}

const title = (row: Row) => `${row.op} · ${row.target} · ${row.what}`;

describe('role × operation × scope (tokens scoped to A)', () => {
  describe('reads', () => {
    it.each(READS.map((row) => [title(row), row] as const))('%s', async (_title, row) => runRow(row));
  });
  describe('writes', () => {
    it.each(WRITES.map((row) => [title(row), row] as const))('%s', async (_title, row) => runRow(row));
  });

  it('changed nothing outside A: B still has its machines, seats, entitlements and keys', async () => {
    const res = await gql(
      stack.graphqlUrl,
      `query($b: String!, $e: ID!) { machines(first: 50, filter: { orgUnitCode: $b }) { totalCount } entitlement(id: $e) { quantity status assignedSeats licenseKeys { totalCount } } orgUnit(code: $b) { children { code } } }`,
      { b: f.b, e: f.entitlements.b },
    );
    expect(res.body).toEqual({
      data: { machines: { totalCount: 2 }, entitlement: { quantity: 5, status: 'ACTIVE', assignedSeats: 1, licenseKeys: { totalCount: 1 } }, orgUnit: { children: [] } },
    });
  });
});

/** The agent endpoint: HTTP status per role and TAG. */
interface AgentRow {
  what: string;
  tag: (fx: Fixture) => string;
  expect: Record<Role, number>;
}

const statusOnly = (granted: readonly Role[], status: number, otherwise: number): Record<Role, number> =>
  Object.fromEntries(ROLES.map((r) => [r, granted.includes(r) ? status : otherwise])) as Record<Role, number>;
const SUBMITTERS: readonly Role[] = ['ADMIN', 'AGENT'];

const AGENT_ROWS: AgentRow[] = [
  { what: 'TAG = A', tag: (fx) => fx.a, expect: statusOnly(SUBMITTERS, 200, 403) },
  { what: 'TAG = A1 (inside A)', tag: (fx) => fx.a1, expect: statusOnly(SUBMITTERS, 200, 403) },
  { what: 'TAG = B', tag: (fx) => fx.b, expect: statusOnly(SUBMITTERS, 422, 403) },
  { what: 'TAG = the root above A', tag: (fx) => fx.root, expect: statusOnly(SUBMITTERS, 422, 403) },
];

describe('the agent endpoint per role (HTTP Basic, tokens scoped to A)', () => {
  it.each(AGENT_ROWS.map((row) => [row.what, row] as const))('%s', async (_what, row) => {
    const observed = Object.fromEntries(
      await Promise.all(
        ROLES.map(async (role) => {
          const host = `${f.run}-agent-${lower(role)}-${AGENT_ROWS.indexOf(row)}`;
          const res = await postAgent(stack.baseUrl, inventory(row.tag(f), host, []), { password: f.tokens[role] });
          return [role, res.status] as const;
        }),
      ),
    );
    expect(observed).toEqual(row.expect);
  });

  it('refuses TAG = B exactly as it refuses a unit that does not exist, so B is not revealed', async () => {
    const answer = async (tag: string) => {
      const res = await postAgent(stack.baseUrl, inventory(tag, `${f.run}-probe`, []), { password: f.tokens.AGENT });
      return { status: res.status, text: res.text.replace(tag, '<TAG>') };
    };
    const [b, nowhere] = await Promise.all([answer(f.b), answer(uniqueCode(`${f.run}-nowhere`))]);
    expect(b).toEqual(nowhere);
    expect(b.status).toBe(422);
  });

  it('challenges a request without credentials, or with a password that is no token, with 401 Basic', async () => {
    for (const password of [null, `${f.tokens.AGENT}x`]) {
      const res = await postAgent(stack.baseUrl, inventory(f.a, `${f.run}-anon`, []), { password });
      expect({ status: res.status, challenge: res.headers.get('www-authenticate') }).toEqual({ status: 401, challenge: 'Basic realm="Genuine"' });
    }
  });

  it('stored what the AGENT and the scoped ADMIN sent for A, and nothing for B', async () => {
    const res = await gql<{ a: { totalCount: number }; b: { totalCount: number } }>(
      stack.graphqlUrl,
      `query($a: String!, $b: String!, $s: String!) { a: machines(filter: { orgUnitCode: $a, search: $s }) { totalCount } b: machines(filter: { orgUnitCode: $b, search: $s }) { totalCount } }`,
      { a: f.a, b: f.b, s: `${f.run}-agent-` },
    );
    expect(res.body.data).toEqual({ a: { totalCount: 4 }, b: { totalCount: 0 } });
  });
});
