import { deflateSync } from 'node:zlib';
import { uniqueCode } from '@genuine/kit/src/testing';
import { postAgent } from './support/agent-client';
import { gql, startTestStack, type RunningStack } from './support/stack';

/** The contract's compliance fields through the gateway, fed by a real agent inventory and real seats. */
let stack: RunningStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const inventory = (tag: string, hostname: string, titles: string[]) =>
  deflateSync(
    Buffer.from(
      `<?xml version="1.0" encoding="UTF-8" ?>
<REQUEST><CONTENT>
  <HARDWARE><NAME>${hostname}</NAME><OSNAME>Linux</OSNAME></HARDWARE>
  ${titles.map((t) => `<SOFTWARES><NAME>${t}</NAME><VERSION>1.0</VERSION><PUBLISHER>Test</PUBLISHER></SOFTWARES>`).join('\n  ')}
  <ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>${tag}</KEYVALUE></ACCOUNTINFO>
</CONTENT><DEVICEID>${hostname}-2026-11-27-08-00-00</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`,
      'utf8',
    ),
  );

const data = <T>(res: { body: { data?: T | null; errors?: unknown } }): T => {
  expect(res.body.errors).toBeUndefined();
  return res.body.data as T;
};

it('computes OrgUnit.compliance and Machine.compliance from inventories and seats, and keeps them current', async () => {
  const url = stack.graphqlUrl;
  const unit = uniqueCode('dept');
  const title = `Genuine Test Suite ${uniqueCode('t')}`;
  data(await gql(url, `mutation { createOrgUnit(input: { code: "${unit}", name: "财政局", kind: DEPARTMENT }) { id } }`));
  const product = data<{ createProduct: { id: string } }>(
    await gql(url, `mutation { createProduct(input: { publisher: "Test", name: "${title}", category: OFFICE, licensable: true }) { id } }`),
  ).createProduct;
  const edition = data<{ createEdition: { id: string } }>(
    await gql(url, `mutation($p: ID!) { createEdition(input: { productId: $p, name: "${title} 1", listPrice: { amount: "2899.00", currency: "CNY" } }) { id } }`, { p: product.id }),
  ).createEdition;
  data(await gql(url, `mutation($e: ID!) { addNormalizationRule(input: { namePattern: "^Genuine Test Suite", editionId: $e, priority: 5000 }) { id } }`, { e: edition.id }));

  for (const host of ['fin-01', 'fin-02']) {
    const res = await postAgent(stack.baseUrl, inventory(unit, `${unit}-${host}`, [title]));
    expect(res.status).toBe(200);
  }
  const machines = data<{ machines: { edges: Array<{ node: { id: string; hostname: string } }> } }>(
    await gql(url, `{ machines(filter: { orgUnitCode: "${unit}" }) { edges { node { id hostname } } } }`),
  ).machines.edges.map((e) => e.node);
  expect(machines.map((m) => m.hostname)).toEqual([`${unit}-fin-01`, `${unit}-fin-02`]);

  const purchase = data<{ recordPurchase: { entitlements: Array<{ id: string }> } }>(
    await gql(url, `mutation($e: ID!) { recordPurchase(input: { orgUnitCode: "${unit}", supplier: "Test", orderNumber: "${uniqueCode('po')}", purchasedOn: "2026-01-05", currency: "CNY", lines: [{ editionId: $e, quantity: 1, unitPrice: "2899.00" }] }) { entitlements { id } } }`, { e: edition.id }),
  ).recordPurchase;
  data(await gql(url, `mutation($e: ID!, $m: ID!) { assignLicense(input: { entitlementId: $e, machineId: $m }) { id } }`, { e: purchase.entitlements[0].id, m: machines[0].id }));

  const query = `{ orgUnit(code: "${unit}") { compliance { machineCount fullyLicensed categories { category machineCount licensed unlicensed missing rate } shortfallCost { amount currency } } }
    machines(filter: { orgUnitCode: "${unit}" }) { edges { node { hostname compliance { category status } } } } }`;
  const expected = {
    orgUnit: {
      compliance: {
        machineCount: 2,
        fullyLicensed: 0,
        categories: [
          { category: 'OPERATING_SYSTEM', machineCount: 2, licensed: 0, unlicensed: 0, missing: 2, rate: 0 },
          { category: 'OFFICE', machineCount: 2, licensed: 1, unlicensed: 1, missing: 0, rate: 0.5 },
          { category: 'ANTIVIRUS', machineCount: 2, licensed: 0, unlicensed: 0, missing: 2, rate: 0 },
          ...['DATABASE', 'DESIGN', 'DEVELOPMENT', 'OTHER'].map((category) => ({ category, machineCount: 2, licensed: 0, unlicensed: 0, missing: 2, rate: 0 })),
        ],
        shortfallCost: { amount: '2899.00', currency: 'CNY' },
      },
    },
    machines: {
      edges: ['LICENSED', 'UNLICENSED'].map((office, i) => ({
        node: {
          hostname: `${unit}-fin-0${i + 1}`,
          compliance: ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS', 'DATABASE', 'DESIGN', 'DEVELOPMENT', 'OTHER'].map((category) => ({
            category,
            status: category === 'OFFICE' ? office : 'MISSING',
          })),
        },
      })),
    },
  };
  // The engine's worker applies the changes in the background within moments.
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    last = (await gql(url, query)).body.data;
    if (JSON.stringify(last) === JSON.stringify(expected)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toEqual(expected);

  const positions = data<{ orgUnit: unknown }>(
    await gql(url, `{ orgUnit(code: "${unit}") {
      positions(filter: { onlyShortfall: true, category: OFFICE }) { totalCount edges { node { edition { id } installs covered entitled assigned pooled shortfall surplus shortfallCost { amount currency } } } }
      unlicensedInstallations { totalCount edges { node { machine { id } edition { id } coveredBy } } } } }`),
  );
  expect(positions.orgUnit).toEqual({
    positions: {
      totalCount: 1,
      edges: [{ node: { edition: { id: edition.id }, installs: 2, covered: 1, entitled: 1, assigned: 1, pooled: 0, shortfall: 1, surplus: 0, shortfallCost: { amount: '2899.00', currency: 'CNY' } } }],
    },
    unlicensedInstallations: { totalCount: 1, edges: [{ node: { machine: { id: machines[1].id }, edition: { id: edition.id }, coveredBy: null } }] },
  });

  const explained = data<{ machine: { complianceExplanation: Array<{ coveredBy: string | null; reason: string; edition: { id: string } }> } }>(
    await gql(url, `query($m: ID!) { machine(id: $m) { complianceExplanation(category: OFFICE) { coveredBy reason edition { id } } } }`, { m: machines[1].id }),
  );
  expect(explained.machine.complianceExplanation).toEqual([
    { coveredBy: null, reason: expect.stringMatching(/^not covered/), edition: { id: edition.id } },
  ]);
});
