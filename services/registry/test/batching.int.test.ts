import { graphql, type GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import { countStatements, systemActor } from '@genuine/kit';
import { buildRegistrySchema } from '@genuine/registry';
import { buySeats, createEdition, createTree, openRegistryOrm, registerDesktops, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
let schema: GraphQLSchema;
beforeAll(async () => {
  orm = await openRegistryOrm();
  schema = (await buildRegistrySchema()).schema;
});
afterAll(() => orm.close());

/** Runs one operation as the server would, counting the SQL statements it sends. */
async function run(source: string, variables: Record<string, unknown>) {
  const { result, statements } = await countStatements(() => graphql({ schema, source, variableValues: variables, contextValue: registryContext(orm, systemActor) }));
  expect(result.errors).toBeUndefined();
  return { data: result.data as Record<string, { edges: unknown[] }>, statements: statements.length };
}

const ENTITLEMENTS = `query($unit: String!, $first: Int!) {
  entitlements(first: $first, filter: { orgUnitCode: $unit }) {
    edges { node { id quantity assignedSeats unitPrice { amount currency }
      edition { name listPrice { amount } product { name category publisher { name } } }
      orgUnit { code parent { code } }
      purchase { orderNumber supplier { name } total { amount } } } } } }`;

const MACHINES = `query($unit: String!, $first: Int!) {
  machines(first: $first, filter: { orgUnitCode: $unit }) {
    edges { node { hostname orgUnit { code } operatorPerson { name }
      assignments { assignedAt entitlement { quantity edition { name } } } } } } }`;

describe('batching', () => {
  it.each([
    ['entitlements with edition → product → publisher, owning unit and purchase', ENTITLEMENTS],
    ['machines with unit, operator and assignments', MACHINES],
  ])('reads %s in a constant number of statements for 10 and for 100 rows', async (_what, query) => {
    const counts: number[] = [];
    for (const n of [10, 100]) {
      const { east } = await createTree(orm);
      const ctx = registryContext(orm, systemActor);
      const machines = await ctx.services.machines.registerMany(
        systemActor,
        Array.from({ length: n }, (_, i) => ({ orgUnitCode: east.code, hostname: `m-${i}`, kind: 'DESKTOP' as never, operator: `op ${i}` })),
      );
      for (let i = 0; i < n; i++) {
        // Each entitlement gets its own product, publisher and purchase, so nothing is shared between rows.
        const { edition } = await createEdition(orm);
        const entitlement = await buySeats(orm, east.code, edition.id, 2);
        await registryContext(orm, systemActor).services.assignments.assign(systemActor, { entitlementId: entitlement.id, machineId: machines[i].id });
      }
      const { data, statements } = await run(query, { unit: east.code, first: n });
      expect(Object.values(data)[0].edges).toHaveLength(n);
      counts.push(statements);
    }
    expect(counts[1]).toBe(counts[0]);
    expect(counts[0]).toBeLessThanOrEqual(15);
  }, 120_000);
});
void registerDesktops;
