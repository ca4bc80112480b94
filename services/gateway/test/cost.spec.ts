import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, parse } from 'graphql';
import { operationCost, operationLimits } from '../src/hardening';

const schema = buildASTSchema(parse(readFileSync(path.resolve(__dirname, '../../../schema/supergraph.graphql'), 'utf8')), { assumeValidSDL: true });
const dashboard = `query($units: Int, $machines: Int) { orgUnit(code: "x") { descendants(first: $units) { edges { node { name
  machines(first: $machines) { edges { node { hostname orgUnit { name } } } } } } } } }`;
const cost = (variables: Record<string, unknown>) => operationCost(schema, parse(dashboard), variables);

describe('operation cost', () => {
  it('multiplies by page sizes, whether literal or variable, with 20 for an omitted first', () => {
    // Each field costs 1 plus its selection; a connection costs 1 + first x one item. Per machine: edges, node,
    // hostname, orgUnit, name = 5; per unit: edges, node, name, machines(1 + 5m) = 4 + 5m; plus orgUnit and
    // descendants themselves: 2 + u(4 + 5m).
    const expected = (u: number, m: number) => 2 + u * (4 + 5 * m);
    expect(cost({ units: 1, machines: 1 })).toBe(11);
    expect(cost({ units: 50, machines: 20 })).toBe(expected(50, 20));
    expect(cost({})).toBe(expected(20, 20));
    const literal = operationCost(schema, parse(`{ orgUnit(code: "x") { descendants(first: 50) { edges { node { name machines(first: 20) { edges { node { hostname orgUnit { name } } } } } } } } }`), {});
    expect(literal).toBe(expected(50, 20));
  });

  it('lets the dashboard question through and stops answers of hundreds of thousands of fields', () => {
    expect(cost({ units: 50, machines: 20 })).toBeLessThan(operationLimits.maxCost);
    expect(cost({ units: 500, machines: 20 })).toBeLessThan(operationLimits.maxCost);
    expect(cost({ units: 500, machines: 500 })).toBeGreaterThan(operationLimits.maxCost);
  });
});
