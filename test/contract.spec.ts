import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contractGaps } from './support/contract-coverage';

const root = path.resolve(__dirname, '..');
const contract = readFileSync(path.join(root, 'schema/contract.graphql'), 'utf8');
const supergraph = readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');

describe('the public contract (shared/contract.graphql)', () => {
  it('is covered by the committed supergraph: every type, field, argument, input field and enum value', () => {
    expect(contractGaps(contract, supergraph)).toEqual([]);
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
