/**
 * Baseline: a minimal `@apollo/server` that answers the dashboard question from a constant — the same response
 * shape and size, no database, no gateway. What GraphQL execution alone costs on this machine: the ceiling.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { DASHBOARD_SIZES } from '../scenarios/dashboard-query';

const typeDefs = `#graphql
  type Query { orgUnit(code: String!): OrgUnit }
  type OrgUnit { name: String! descendants(first: Int): OrgUnitConnection! machines(first: Int): MachineConnection! }
  type OrgUnitConnection { edges: [OrgUnitEdge!]! }
  type OrgUnitEdge { node: OrgUnit! }
  type MachineConnection { edges: [MachineEdge!]! }
  type MachineEdge { node: Machine! }
  type Machine { hostname: String orgUnit: OrgUnit! }
`;

interface Unit {
  name: string;
  descendants: { edges: Array<{ node: Unit }> };
  machines: { edges: Array<{ node: { hostname: string; orgUnit: Unit } }> };
}

function unitNamed(name: string, machines: number): Unit {
  const unit: Unit = { name, descendants: { edges: [] }, machines: { edges: [] } };
  for (let m = 0; m < machines; m += 1) unit.machines.edges.push({ node: { hostname: `${name}-pc${String(m + 1).padStart(5, '0')}`, orgUnit: unit } });
  return unit;
}

const root = unitNamed('root', 0);
for (let u = 0; u < DASHBOARD_SIZES.units; u += 1) root.descendants.edges.push({ node: unitNamed(`unit-${u}`, DASHBOARD_SIZES.machines) });

async function main() {
  const server = new ApolloServer({ typeDefs, resolvers: { Query: { orgUnit: () => root } }, introspection: false });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  process.stdout.write(`baseline listening: ${url}\n`);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
