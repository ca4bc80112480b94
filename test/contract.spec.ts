import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contractGaps } from './support/contract-coverage';

const root = path.resolve(__dirname, '..');
const contract = readFileSync(path.join(root, 'schema/contract.graphql'), 'utf8');
const supergraph = readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');

/**
 * Parts of the fixed contract that later issues deliver. The test fails both when a gap outside this list
 * appears (the contract broke) and when a listed part arrives (remove it from the list), so the list can only
 * shrink, and only on purpose.
 */
const notYetBuilt = [
  'ComplianceStatus: missing',
  'OrgUnit.compliance: missing',
  'OrgUnitCompliance: missing',
  'CategoryCompliance: missing',
  'Machine.compliance: missing',
  'MachineCategoryStatus: missing',
];

describe('the public contract (shared/contract.graphql)', () => {
  it('is covered by the committed supergraph, except the parts listed as not yet built', () => {
    expect(contractGaps(contract, supergraph).sort()).toEqual([...notYetBuilt].sort());
  });

  it('is the same text as the shared contract when that is present', () => {
    const shared = path.resolve(root, '../shared/contract.graphql');
    if (!existsSync(shared)) return; // a checkout without the steering folder still checks its own copy above
    expect(contract).toBe(readFileSync(shared, 'utf8'));
  });

  it('notices a contract break', () => {
    const broken = supergraph.replace(/(orgUnit\((?:"""[^"]*"""\s*)?code: )String!/, '$1Int!');
    expect(broken).not.toBe(supergraph);
    expect(contractGaps(contract, broken)).toContain('Query.orgUnit(code): type Int! does not accept String!');
  });

  it('accepts stricter outputs and looser inputs, and rejects the reverse', () => {
    const c = 'type Query { a: String b(x: Int!): Int! } input I { f: String! }';
    expect(contractGaps(c, 'type Query { a: String! b(x: Int): Int! } input I { f: String }')).toEqual([]);
    expect(contractGaps(c, 'type Query { a: String b(x: Int!): Int } input I { f: String! g: Int! }')).toEqual([
      'Query.b: type Int does not satisfy Int!',
      'I.g: required input field the contract does not have',
    ]);
  });
});
