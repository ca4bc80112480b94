import { uniqueCode } from '@genuine/kit/src/testing';
import { gql, startTestStack, type RunningStack } from './support/stack';

let stack: RunningStack;
beforeAll(async () => {
  stack = await startTestStack({ GENUINE_LICENSE_KEY_SECRET: 'b2'.repeat(32) });
}, 90_000);
afterAll(() => stack?.stop());

type Data = Record<string, Record<string, unknown> & { id: string }>;
const ok = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql<Data>(stack.graphqlUrl, query, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data as Data;
};

describe('the registry through the gateway', () => {
  it('runs the contract mutations: product, edition, purchase, machine, assignment, revocation', async () => {
    const unit = uniqueCode('dept');
    const order = uniqueCode('ZC-2026');
    await ok(`mutation($code: String!) { createOrgUnit(input: { code: $code, name: "教育局", kind: DEPARTMENT }) { id } }`, { code: unit });

    const product = (await ok(
      `mutation CreateProduct($input: CreateProductInput!) { createProduct(input: $input) { id name category licensable } }`,
      { input: { publisher: 'Kingsoft Office (金山办公)', name: uniqueCode('WPS Office 专业版'), category: 'OFFICE', licensable: true } },
    )).createProduct;
    expect(product).toEqual({ id: expect.any(String), name: expect.stringMatching(/^WPS Office 专业版-/), category: 'OFFICE', licensable: true });

    const older = (await ok(`mutation($input: CreateEditionInput!) { createEdition(input: $input) { id } }`, { input: { productId: product.id, name: 'WPS 2016', version: '2016' } })).createEdition;
    const edition = await gql(
      stack.graphqlUrl,
      `mutation CreateEdition($input: CreateEditionInput!) { createEdition(input: $input) { id name version metric listPrice { amount currency } product { id name } covers { id } } }`,
      { input: { productId: product.id, name: 'WPS 2019', version: '2019', metric: 'PER_DEVICE', listPrice: { amount: '398.5', currency: 'CNY' }, covers: [older.id] } },
    );
    const editionId = (edition.body.data as Data).createEdition.id;
    expect(edition.body).toEqual({
      data: { createEdition: { id: editionId, name: 'WPS 2019', version: '2019', metric: 'PER_DEVICE', listPrice: { amount: '398.50', currency: 'CNY' }, product: { id: product.id, name: product.name }, covers: [{ id: older.id }] } },
    });

    const purchase = await gql(
      stack.graphqlUrl,
      `mutation RecordPurchase($input: RecordPurchaseInput!) { recordPurchase(input: $input) {
        id orderNumber purchasedOn total { amount currency }
        entitlements { id quantity metric allocation type validFrom validUntil unitPrice { amount currency } status freeSeats } } }`,
      { input: { orgUnitCode: unit, supplier: '政府采购中心', orderNumber: order, purchasedOn: '2026-01-10', currency: 'CNY', lines: [{ editionId, quantity: 2, unitPrice: '0.1' }, { editionId, quantity: 1, unitPrice: '0.2' }] } },
    );
    const purchaseData = (purchase.body.data as { recordPurchase: { id: string; entitlements: Array<{ id: string }> } }).recordPurchase;
    const [first, second] = purchaseData.entitlements;
    const line = (id: string, quantity: number, amount: string) => ({
      id, quantity, metric: 'PER_DEVICE', allocation: 'ASSIGNED', type: 'PERPETUAL', validFrom: '2026-01-10', validUntil: null, unitPrice: { amount, currency: 'CNY' }, status: 'ACTIVE', freeSeats: quantity,
    });
    expect(purchase.body).toEqual({
      data: { recordPurchase: { id: purchaseData.id, orderNumber: order, purchasedOn: '2026-01-10', total: { amount: '0.40', currency: 'CNY' }, entitlements: [line(first.id, 2, '0.10'), line(second.id, 1, '0.20')] } },
    });

    const machine = (await ok(
      `mutation RegisterMachine($input: RegisterMachineInput!) { registerMachine(input: $input) { id hostname serialNumber uuid kind orgUnit { code } } }`,
      { input: { orgUnitCode: unit, hostname: 'jyj-pc-01', serialNumber: uniqueCode('SN'), uuid: uniqueCode('uuid'), kind: 'DESKTOP', operator: '李老师' } },
    )).registerMachine;

    const assignment = await gql(
      stack.graphqlUrl,
      `mutation AssignLicense($input: AssignLicenseInput!) { assignLicense(input: $input) { id active revokedAt machine { id hostname } entitlement { id freeSeats } } }`,
      { input: { entitlementId: second.id, machineId: machine.id } },
    );
    const assignmentId = (assignment.body.data as Data).assignLicense.id;
    expect(assignment.body).toEqual({
      data: { assignLicense: { id: assignmentId, active: true, revokedAt: null, machine: { id: machine.id, hostname: 'jyj-pc-01' }, entitlement: { id: second.id, freeSeats: 0 } } },
    });

    const other = (await ok(`mutation($input: RegisterMachineInput!) { registerMachine(input: $input) { id } }`, { input: { orgUnitCode: unit, hostname: 'jyj-pc-02', kind: 'LAPTOP' } })).registerMachine;
    const full = await gql(stack.graphqlUrl, `mutation($input: AssignLicenseInput!) { assignLicense(input: $input) { id } }`, { input: { entitlementId: second.id, machineId: other.id } });
    expect(full.body).toEqual({ data: null, errors: [{ message: 'Every seat of this entitlement is taken (1 of 1)', path: ['assignLicense'], extensions: { code: 'SEAT_LIMIT_EXCEEDED' } }] });

    const revoked = await gql(
      stack.graphqlUrl,
      `mutation RevokeAssignment($input: RevokeAssignmentInput!) { revokeAssignment(input: $input) { id active entitlement { freeSeats } } }`,
      { input: { assignmentId } },
    );
    expect(revoked.body).toEqual({ data: { revokeAssignment: { id: assignmentId, active: false, entitlement: { freeSeats: 1 } } } });

    const history = await gql(stack.graphqlUrl, `query($id: ID!) { history(entityId: $id) { totalCount edges { node { action entity entityId } } } }`, { id: assignmentId });
    expect(history.body).toEqual({
      data: { history: { totalCount: 2, edges: [{ node: { action: 'assignment.revoke', entity: 'assignment', entityId: assignmentId } }, { node: { action: 'assignment.create', entity: 'assignment', entityId: assignmentId } }] } },
    });
  });

  it('registers machines in bulk and shows license keys masked to a reader without the right', async () => {
    const unit = uniqueCode('bulk');
    await ok(`mutation($code: String!) { createOrgUnit(input: { code: $code, name: "Bulk", kind: OTHER }) { id } }`, { code: unit });
    const machines = [1, 2, 3].map((n) => ({ orgUnitCode: unit, hostname: `b-${n}`, kind: 'DESKTOP' }));
    const registered = (await ok(`mutation($m: [RegisterMachineInput!]!) { registerMachines(input: { machines: $m }) { id hostname } }`, { m: machines })) as unknown as {
      registerMachines: Array<{ id: string; hostname: string }>;
    };
    expect(registered.registerMachines.map((m) => m.hostname)).toEqual(['b-1', 'b-2', 'b-3']);
    const again = (await ok(`mutation($m: [RegisterMachineInput!]!) { registerMachines(input: { machines: $m }) { id } }`, { m: machines })) as unknown as { registerMachines: Array<{ id: string }> };
    expect(again.registerMachines.map((m) => m.id)).toEqual(registered.registerMachines.map((m) => m.id));
  });
});
