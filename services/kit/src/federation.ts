import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { DateScalar, DateTimeScalar } from './scalars';

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

export type ReferenceResolvers = Record<string, { __resolveReference: (reference: never, context: never) => unknown }>;

/**
 * Builds a federation 2 subgraph from type-graphql resolvers. type-graphql only emits types reachable from the
 * resolvers, so entity stubs that only appear as `@key` references must be listed in `orphanedTypes`.
 */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck' | 'scalarsMap'>,
  referenceResolvers: ReferenceResolvers = {},
): Promise<{ schema: GraphQLSchema; sdl: string }> {
  const typeGraphQLSchema = await buildSchema({
    ...options,
    scalarsMap: [],
    orphanedTypes: options.orphanedTypes,
    skipCheck: true,
    validate: { forbidUnknownValues: false, ...(typeof options.validate === 'object' ? options.validate : {}) },
  });
  const resolvers = createResolversMap(typeGraphQLSchema) as Record<string, Record<string, unknown>>;
  // Connections compute totalCount only when asked: the page carries a function that this resolver calls.
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (typeName.endsWith('Connection') && fields && typeof fields === 'object') {
      fields.totalCount = (root: { totalCount: number | (() => Promise<number>) }) =>
        typeof root.totalCount === 'function' ? root.totalCount() : root.totalCount;
    }
  }
  for (const [typeName, reference] of Object.entries(referenceResolvers)) {
    resolvers[typeName] = { ...(resolvers[typeName] ?? {}), ...reference };
  }
  resolvers.Date = DateScalar as unknown as Record<string, unknown>;
  resolvers.DateTime = DateTimeScalar as unknown as Record<string, unknown>;
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(typeGraphQLSchema)}`);
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
  return { schema, sdl: printSubgraphSchema(schema) };
}

export { DateScalar, DateTimeScalar };
