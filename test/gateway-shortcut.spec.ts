import { parse } from 'graphql';
import { loadSupergraph } from '@genuine/gateway';
import { SubgraphOwnership } from '@genuine/gateway/src/single-subgraph';

/**
 * Which operations the gateway may send straight to one subgraph (services/gateway/src/single-subgraph.ts), decided
 * from the committed supergraph's join directives. Anything not provably one subgraph's answers null.
 */
const ownership = new SubgraphOwnership(loadSupergraph());
const route = (query: string, operationName?: string) => ownership.route(parse(query), operationName);
const subgraphOf = (query: string, operationName?: string) => route(query, operationName)?.subgraph ?? null;

describe('the sole-subgraph decision', () => {
  it('sends the dashboard question, all registry fields, to the registry', () => {
    const dashboard = '{ orgUnit(code: "R") { descendants(first: 50) { edges { node { name machines(first: 20) { edges { node { hostname orgUnit { name } } } } } } } } }';
    expect(subgraphOf(dashboard)).toBe('registry');
  });

  it('follows variables, aliases, __typename, @skip/@include, named and inline fragments', () => {
    const query = `query Page($code: String!, $n: Int, $withKind: Boolean!) {
      unit: orgUnit(code: $code) { __typename ...Names children @include(if: $withKind) { kind } ... on OrgUnit { parent { code } } }
      machines(first: $n, filter: { orgUnitCode: $code, includeDescendants: true }) { pageInfo { hasNextPage endCursor } edges { node { ...M } } }
    }
    fragment Names on OrgUnit { code name kind @skip(if: $withKind) }
    fragment M on Machine { id hostname kind status orgUnit { ...Names } }`;
    expect(subgraphOf(query)).toBe('registry');
  });

  it('sends an audit-only query to the audit subgraph', () => {
    expect(subgraphOf('{ recognize(rawName: "Microsoft Office 2019") { ignored edition { id } } }')).toBe('audit');
  });

  it('plans as usual when another subgraph owns a field of the selection (an entity jump)', () => {
    expect(subgraphOf('{ machines { edges { node { hostname installations { totalCount } } } } }')).toBeNull();
    expect(subgraphOf('{ orgUnit(code: "R") { name compliance { machineCount } } }')).toBeNull();
    // Through a fragment too.
    expect(subgraphOf('{ machines { edges { node { ...F } } } } fragment F on Machine { hostname lastInventoryAt }')).toBeNull();
  });

  it('plans as usual for mutations, introspection, a lone __typename and unknown directives', () => {
    expect(subgraphOf('mutation { createOrgUnit(input: { code: "x", name: "x", kind: OTHER }) { id } }')).toBeNull();
    expect(subgraphOf('{ __schema { queryType { name } } }')).toBeNull();
    expect(subgraphOf('{ orgUnit(code: "R") { __type(name: "OrgUnit") { name } } }')).toBeNull();
    expect(subgraphOf('{ __typename }')).toBeNull();
    expect(subgraphOf('{ orgUnit(code: "R") { name @defer } }')).toBeNull();
    expect(subgraphOf('{ orgUnit(code: "R") { nope } }')).toBeNull();
  });

  it('sends only the chosen operation and the fragments it uses', () => {
    const document = `query A { orgUnit(code: "R") { ...U } }
      query B { orgUnit(code: "R") { compliance { machineCount } ...V } }
      fragment U on OrgUnit { code }
      fragment V on OrgUnit { name }`;
    expect(route(document, 'A')).toEqual({ subgraph: 'registry', query: 'query A {\n  orgUnit(code: "R") {\n    ...U\n  }\n}\n\nfragment U on OrgUnit {\n  code\n}' });
    expect(route(document, 'B')).toBeNull();
    // Several operations and no name: graphql-js refuses it; so does the shortcut.
    expect(route(document)).toBeNull();
  });

  it('decides once per parsed document', () => {
    const document = parse('{ orgUnit(code: "R") { name } }');
    const first = ownership.route(document, undefined);
    expect(ownership.route(document, undefined)).toBe(first);
    expect(ownership.route(document, null)).toBe(first);
  });
});
