import { ArgsType, type ClassType, Directive, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from './errors';

/** Relay page information, shared by every connection of both subgraphs. */
@Directive('@shareable')
// simpleResolvers: plain properties (or functions, called by graphql-js's default resolver) need none of
// type-graphql's per-field wrapping, which a 1,000-machine page otherwise pays thousands of times.
@ObjectType('PageInfo', { description: 'Where a page of a connection stands in the whole list.', simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page; pass it as `after`.' })
  endCursor!: string | null;
}

/** `totalCount` may be a function: graphql-js calls it only when the client asks for the count. */
export type Count = number | (() => Promise<number>);

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: Count;
  cursorOf: (item: T) => string;
}

/**
 * Builds a Relay connection type for `Node`: `edges { cursor node }`, `pageInfo`, `totalCount`.
 * `name` is the connection's GraphQL name, e.g. `MachineConnection`.
 */
export function ConnectionType<TNode extends object>(node: ClassType<TNode>, name: string, what: string) {
  @ObjectType(`${name.replace(/Connection$/, '')}Edge`, { description: `One ${what} with its cursor.`, simpleResolvers: true })
  class Edge {
    @Field(() => String, { description: 'Opaque cursor of this item.' })
    cursor!: string;

    @Field(() => node, { description: `The ${what}.` })
    node!: TNode;
  }

  @ObjectType(name, { description: `A page of ${what}s.`, simpleResolvers: true })
  class Connection {
    @Field(() => [Edge], { description: `The ${what}s of this page, in order.` })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Where this page stands.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: `How many ${what}s match, over all pages.` })
    totalCount!: number;
  }
  return Connection;
}

export interface ConnectionShape<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: Count;
}

export function toConnection<T, N>(page: Page<T>, map: (item: T) => N): ConnectionShape<N> {
  const edges = page.items.map((item) => ({ cursor: page.cursorOf(item), node: map(item) }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    totalCount: page.totalCount,
  };
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 500;

/** Validates `first` (default 20, at most 500) and decodes `after`; cursors are opaque base64url JSON. */
export function pageArgs<C>(first: number | null | undefined, after: string | null | undefined): { first: number; after: C | null } {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return { first: size, after: after ? decodeCursor<C>(after) : null };
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<C>(cursor: string): C {
  try {
    if (cursor.length > 1024) throw new Error('too long');
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as C;
  } catch {
    throw badInput('after is not a valid cursor');
  }
}

/** `first` / `after` of every connection field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 20 by default, at most 500.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts.' })
  after?: string | null;
}
