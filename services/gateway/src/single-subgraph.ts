import http from 'node:http';
import {
  buildASTSchema,
  getNamedType,
  isAbstractType,
  isInputObjectType,
  isObjectType,
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** A subgraph that can answer an operation alone, and the document to send it (the operation and its fragments). */
export interface SoleSubgraphRoute {
  subgraph: string;
  query: string;
}

const BUILT_IN_DIRECTIVES = new Set(['skip', 'include']);

/**
 * Which subgraph answers which field, read from the supergraph's `@join__type` / `@join__field` directives, and the
 * question it exists for: can one subgraph answer a whole operation by itself? Answering `null` is always safe
 * (the gateway then plans the operation as usual), so every rule below is conservative: an abstract type, a field
 * that needs `@requires`, is `@external` or overridden in a subgraph, a type that differs between subgraphs, a
 * directive other than `@skip`/`@include`, introspection, mutations and subscriptions all answer `null`.
 */
export class SubgraphOwnership {
  private readonly schema: GraphQLSchema;
  private readonly graphNames = new Map<string, string>();
  private readonly allGraphs: ReadonlySet<string>;
  private readonly typeGraphs = new Map<string, ReadonlySet<string>>();
  private readonly fieldGraphs = new Map<string, ReadonlySet<string>>();
  private readonly inputGraphs = new Map<string, ReadonlySet<string>>();
  private readonly routes = new WeakMap<DocumentNode, Map<string, SoleSubgraphRoute | null>>();

  constructor(supergraphSdl: string) {
    this.schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
    const graphEnum = this.schema.getType('join__Graph');
    for (const value of graphEnum?.astNode?.kind === Kind.ENUM_TYPE_DEFINITION ? (graphEnum.astNode.values ?? []) : []) {
      const name = stringArgument(value.directives?.find((d) => d.name.value === 'join__graph'), 'name');
      if (name) this.graphNames.set(value.name.value, name);
    }
    this.allGraphs = new Set(this.graphNames.values());
  }

  /**
   * The one subgraph that can answer `operationName` of `document` alone, with the document to send it, or null.
   * Decided once per parsed document (the runtime caches parsed documents, so a repeated query is one lookup).
   */
  route(document: DocumentNode, operationName: string | null | undefined): SoleSubgraphRoute | null {
    let byName = this.routes.get(document);
    if (!byName) {
      byName = new Map();
      this.routes.set(document, byName);
    }
    const key = operationName ?? '';
    if (byName.has(key)) return byName.get(key) ?? null;
    let route: SoleSubgraphRoute | null;
    try {
      route = this.decide(document, operationName);
    } catch {
      route = null;
    }
    byName.set(key, route);
    return route;
  }

  private decide(document: DocumentNode, operationName: string | null | undefined): SoleSubgraphRoute | null {
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    if (!operation || operation.operation !== 'query') return null;
    const queryType = this.schema.getQueryType();
    if (!queryType) return null;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

    const walk = new OperationWalk(this, fragments);
    if (!walk.directivesAllowed(operation.directives)) return null;
    for (const variable of operation.variableDefinitions ?? []) {
      if (!walk.directivesAllowed(variable.directives)) return null;
      walk.narrow(this.inputTypeGraphs(namedTypeName(variable.type)));
    }
    if (!walk.selectionSet(operation.selectionSet, queryType) || walk.candidates.size === 0 || walk.fields === 0) return null;
    // Several subgraphs could answer (fields they share): take the first one in the supergraph's order.
    const subgraph = [...this.allGraphs].find((g) => walk.candidates.has(g));
    if (!subgraph) return null;
    const used = [...walk.usedFragments].map((name) => fragments.get(name)).filter((f): f is FragmentDefinitionNode => f !== undefined);
    return { subgraph, query: print({ kind: Kind.DOCUMENT, definitions: [operation, ...used] }) };
  }

  /** @internal Every subgraph of the supergraph. */
  get graphs(): ReadonlySet<string> {
    return this.allGraphs;
  }

  /** @internal The supergraph's type of that name, when it is an object type. */
  objectType(name: string): GraphQLObjectType | null {
    const type = this.schema.getType(name);
    return type && isObjectType(type) ? type : null;
  }

  /** @internal Subgraphs defining a type; every subgraph for built-in scalars. */
  namedTypeGraphs(type: GraphQLNamedType): ReadonlySet<string> {
    let graphs = this.typeGraphs.get(type.name);
    if (!graphs) {
      const joins = directives(type.astNode, 'join__type');
      graphs = joins.length === 0 ? this.allGraphs : new Set(joins.map((d) => this.graphOf(d)).filter((g): g is string => g !== null));
      this.typeGraphs.set(type.name, graphs);
    }
    return graphs;
  }

  /** @internal Subgraphs that resolve `parent.field` themselves, with no other subgraph's help. */
  fieldResolvers(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>): ReadonlySet<string> {
    const key = `${parent.name}.${field.name}`;
    let graphs = this.fieldGraphs.get(key);
    if (!graphs) {
      const joins = directives(field.astNode, 'join__field');
      if (joins.length === 0) graphs = this.namedTypeGraphs(parent);
      else {
        const own = new Set<string>();
        const typeText = String(field.type);
        for (const d of joins) {
          const graph = this.graphOf(d);
          if (!graph) continue;
          if (booleanArgument(d, 'external') || booleanArgument(d, 'usedOverridden') || stringArgument(d, 'requires') !== null) continue;
          const declared = stringArgument(d, 'type');
          if (declared !== null && declared !== typeText) continue;
          own.add(graph);
        }
        graphs = own;
      }
      this.fieldGraphs.set(key, graphs);
    }
    return graphs;
  }

  /** @internal Subgraphs that accept an input type as the supergraph defines it (its fields, recursively). */
  inputTypeGraphs(name: string, seen: Set<string> = new Set()): ReadonlySet<string> {
    const cached = this.inputGraphs.get(name);
    if (cached) return cached;
    const type = this.schema.getType(name);
    if (!type) return new Set();
    let graphs: ReadonlySet<string> = this.namedTypeGraphs(type);
    if (isInputObjectType(type) && !seen.has(name)) {
      seen.add(name);
      for (const field of Object.values(type.getFields())) {
        const joins = directives(field.astNode, 'join__field');
        if (joins.length > 0) {
          const own = new Set(joins.map((d) => this.graphOf(d)).filter((g): g is string => g !== null));
          graphs = intersect(graphs, own);
        }
        graphs = intersect(graphs, this.inputTypeGraphs(getNamedType(field.type).name, seen));
      }
    }
    this.inputGraphs.set(name, graphs);
    return graphs;
  }

  private graphOf(directive: ConstDirectiveNode): string | null {
    const arg = directive.arguments?.find((a) => a.name.value === 'graph');
    return arg?.value.kind === Kind.ENUM ? (this.graphNames.get(arg.value.value) ?? null) : null;
  }
}

/** One walk over an operation's selections, narrowing the subgraphs that could answer everything seen so far. */
class OperationWalk {
  candidates: ReadonlySet<string>;
  fields = 0;
  readonly usedFragments = new Set<string>();
  private readonly visited = new Set<string>();

  constructor(
    private readonly ownership: SubgraphOwnership,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
  ) {
    this.candidates = ownership.graphs;
  }

  narrow(graphs: ReadonlySet<string>): void {
    this.candidates = intersect(this.candidates, graphs);
  }

  directivesAllowed(nodes: ReadonlyArray<{ name: { value: string } }> | undefined): boolean {
    return (nodes ?? []).every((d) => BUILT_IN_DIRECTIVES.has(d.name.value));
  }

  /** False when something in the selection rules the shortcut out altogether. */
  selectionSet(set: SelectionSetNode, parent: GraphQLObjectType): boolean {
    this.narrow(this.ownership.namedTypeGraphs(parent));
    for (const selection of set.selections) {
      if (!this.directivesAllowed(selection.directives)) return false;
      if (selection.kind === Kind.FIELD) {
        if (!this.field(selection, parent)) return false;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? this.ownership.objectType(selection.typeCondition.name.value) : parent;
        if (!on || on.name !== parent.name || !this.selectionSet(selection.selectionSet, on)) return false;
      } else {
        const fragment = this.fragments.get(selection.name.value);
        if (!fragment || !this.directivesAllowed(fragment.directives)) return false;
        const on = this.ownership.objectType(fragment.typeCondition.name.value);
        if (!on || on.name !== parent.name) return false;
        this.usedFragments.add(fragment.name.value);
        const key = `${fragment.name.value}@${parent.name}`;
        if (this.visited.has(key)) continue;
        this.visited.add(key);
        if (!this.selectionSet(fragment.selectionSet, on)) return false;
      }
    }
    return true;
  }

  private field(node: FieldNode, parent: GraphQLObjectType): boolean {
    const name = node.name.value;
    if (name === '__typename') return true;
    if (name.startsWith('__')) return false; // introspection: the gateway answers it from the public schema
    const field = parent.getFields()[name];
    if (!field) return false;
    this.fields += 1;
    this.narrow(this.ownership.fieldResolvers(parent, field));
    for (const arg of field.args) {
      if (node.arguments?.some((a) => a.name.value === arg.name)) this.narrow(this.ownership.inputTypeGraphs(getNamedType(arg.type).name));
    }
    const type = getNamedType(field.type);
    if (isAbstractType(type)) return false;
    this.narrow(this.ownership.namedTypeGraphs(type));
    if (!node.selectionSet) return this.candidates.size > 0;
    return isObjectType(type) && this.selectionSet(node.selectionSet, type) && this.candidates.size > 0;
  }
}

function directives(node: { directives?: readonly ConstDirectiveNode[] } | null | undefined, name: string): ConstDirectiveNode[] {
  return (node?.directives ?? []).filter((d) => d.name.value === name);
}

function stringArgument(directive: ConstDirectiveNode | undefined, name: string): string | null {
  const value = directive?.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : null;
}

function booleanArgument(directive: ConstDirectiveNode, name: string): boolean {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.BOOLEAN && value.value;
}

function namedTypeName(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeName(type.type);
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (a === b) return a;
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

export interface SoleSubgraphOptions {
  supergraphSdl: string;
  /** Runtime URL of each subgraph's `/graphql`, by subgraph name. */
  subgraphUrls: Record<string, string>;
  /** The headers the gateway sends every subgraph for this client request (the same as the planner's fetches). */
  subgraphHeaders: (headers: { get(name: string): string | null }) => Record<string, string | null>;
  /** The operation cost limit (hardening.ts), checked again when an operation is answered directly. */
  costOf: (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string | null) => number;
  maxCost: number;
  /** Told which way each operation went (`direct`: without the gateway runtime), for tests and debugging. */
  onRoute?: (route: ShortcutRoute) => void;
}

export interface ShortcutRoute {
  subgraph: string | null;
  fellBack: boolean;
  direct: boolean;
}

/** The JSON body of a GraphQL POST, as the client sent it. */
export interface OperationBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

/** Operations remembered for direct answers; beyond that the least recently used is dropped. */
const KNOWN_OPERATIONS = 1000;
const RESPONSE_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'] as const;
const OPERATION_KEYS = new Set(['query', 'variables', 'operationName']);

/**
 * The gateway's shortcut for operations one subgraph answers alone (the dashboard's units → machines → unit is all
 * registry). It sends the operation to that subgraph with the same headers the planner would, and hands the
 * subgraph's JSON to the client as it came, without rebuilding ~1,000 objects through the planner's merge. Only a
 * clean answer (`{"data":…}`, no errors, no extensions, HTTP 200) is used; anything else — an error, a failed
 * fetch — runs the operation through the planner, so clients see exactly what they saw without the shortcut,
 * errors included. Only queries take it: running one twice is harmless, a mutation is not.
 *
 * Two ways in. `plugin()` runs inside the gateway runtime, after parsing, validation, the operation limits and the
 * cost limit. `answer()` runs before the runtime, for an operation text that already took the shortcut through it
 * (so it parses and validates): it checks the cost limit with this request's variables, then answers without the
 * runtime's request pipeline, in the media type the runtime would have chosen.
 */
export class SoleSubgraphShortcut {
  private readonly ownership: SubgraphOwnership;
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly urls: Map<string, URL>;
  private readonly known = new Map<string, { document: DocumentNode; route: SoleSubgraphRoute; schema: GraphQLSchema }>();
  /** Requests whose direct answer failed: the runtime's try would fail the same way, so the planner takes them. */
  private readonly triedDirectly = new WeakSet<object>();

  constructor(private readonly options: SoleSubgraphOptions) {
    this.ownership = new SubgraphOwnership(options.supergraphSdl);
    // Plain HTTP only (subgraphs sit beside the gateway); a subgraph behind TLS is left to the planner's transport.
    this.urls = new Map(Object.entries(options.subgraphUrls).map(([name, url]) => [name, new URL(url)] as const).filter(([, url]) => url.protocol === 'http:'));
  }

  plugin(): Plugin {
    return {
      onExecute: ({ args, executeFn, setExecuteFn }) => {
        const context = args.contextValue as { request?: Request; req?: object; params?: OperationBody } | undefined;
        const route = this.ownership.route(args.document, args.operationName);
        const url = route ? this.urls.get(route.subgraph) : undefined;
        if (!route || !url || !context?.request || (context.req && this.triedDirectly.has(context.req))) {
          this.options.onRoute?.({ subgraph: null, fellBack: false, direct: false });
          return;
        }
        const { request, params } = context;
        setExecuteFn(async (execArgs) => {
          const variables = (execArgs.variableValues ?? undefined) as Record<string, unknown> | undefined;
          const answer = await this.fetch(url, route.query, variables, execArgs.operationName, this.options.subgraphHeaders(request.headers));
          this.options.onRoute?.({ subgraph: route.subgraph, fellBack: answer === null, direct: false });
          if (!answer) return executeFn(execArgs);
          if (params && typeof params.query === 'string' && (params.extensions === undefined || params.extensions === null)) this.remember(keyOf(params.query, execArgs.operationName), { document: args.document, route, schema: args.schema });
          return bytesResult(answer);
        });
      },
    };
  }

  /**
   * The answer to a POST body whose operation already took the shortcut through the runtime, in the media type the
   * runtime would answer with; null when the runtime must handle the request (anything unknown, over the cost
   * limit, or answered with an error).
   */
  async answer(
    body: OperationBody,
    request: { headers: { get(name: string): string | null }; accept: string | undefined; req: object },
  ): Promise<{ contentType: string; bytes: Buffer } | null> {
    const { query, variables, operationName, extensions } = body;
    // Only what the runtime's request parser takes as it is: other keys (which it refuses, or reads as a persisted
    // document) and extensions go to the runtime.
    if (typeof query !== 'string' || (extensions !== undefined && extensions !== null)) return null;
    if (Object.entries(body).some(([key, value]) => value !== null && value !== undefined && !OPERATION_KEYS.has(key))) return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    const known = this.known.get(keyOf(query, operationName));
    const url = known ? this.urls.get(known.route.subgraph) : undefined;
    const mediaType = responseMediaType(request.accept);
    if (!known || !url || !mediaType) return null;
    this.remember(keyOf(query, operationName), known);
    let cost: number;
    try {
      cost = this.options.costOf(known.schema, known.document, (variables ?? {}) as Record<string, unknown>, operationName);
    } catch {
      return null;
    }
    if (cost > this.options.maxCost) return null;
    const answer = await this.fetch(url, known.route.query, (variables ?? undefined) as Record<string, unknown> | undefined, operationName, this.options.subgraphHeaders(request.headers));
    this.options.onRoute?.({ subgraph: known.route.subgraph, fellBack: answer === null, direct: true });
    if (!answer) {
      this.triedDirectly.add(request.req);
      return null;
    }
    return { contentType: `${mediaType}; charset=utf-8`, bytes: answer };
  }

  private remember(key: string, entry: { document: DocumentNode; route: SoleSubgraphRoute; schema: GraphQLSchema }): void {
    this.known.delete(key);
    this.known.set(key, entry);
    if (this.known.size > KNOWN_OPERATIONS) this.known.delete(this.known.keys().next().value as string);
  }

  /** The subgraph's answer without Apollo's trailing newline, or null unless it is clean. */
  private async fetch(url: URL, query: string, variables: Record<string, unknown> | undefined, operationName: string | null | undefined, headers: Record<string, string | null>): Promise<Buffer | null> {
    const body = JSON.stringify({ query, variables, operationName: operationName ?? undefined });
    const answer = await postJson(this.agent, url, body, headers).catch(() => null);
    return answer && isClean(answer) ? trimNewline(answer) : null;
  }
}

const keyOf = (query: string, operationName: unknown) => `${typeof operationName === 'string' ? operationName : ''}\u0000${query}`;

const DATA_PREFIX = Buffer.from('{"data":{');
const EXTENSIONS_KEY = Buffer.from('"extensions":');

/**
 * `{"data": …}` alone. Apollo writes errors before data and extensions after it; an alias named `extensions` is
 * the only other way that key can appear (quotes inside strings are escaped), so parse to tell them apart.
 */
function isClean(answer: Buffer): boolean {
  if (answer.subarray(0, DATA_PREFIX.length).compare(DATA_PREFIX) !== 0) return false;
  if (answer.includes(EXTENSIONS_KEY)) {
    const parsed = JSON.parse(answer.toString('utf8')) as Record<string, unknown>;
    return Object.keys(parsed).every((k) => k === 'data');
  }
  return true;
}

function trimNewline(answer: Buffer): Buffer {
  let end = answer.length;
  while (end > 0 && (answer[end - 1] === 0x0a || answer[end - 1] === 0x0d)) end -= 1;
  return answer.subarray(0, end);
}

/**
 * An execution result that serializes as the subgraph's own bytes (graphql-yoga uses a result's `stringify`),
 * parsing them only if something reads `data`.
 */
function bytesResult(answer: Buffer): ExecutionResult {
  const text = answer.toString('utf8');
  let data: ExecutionResult['data'];
  const result = { stringify: () => text } as ExecutionResult & { stringify(): string };
  Object.defineProperty(result, 'data', {
    enumerable: true,
    get: () => (data ??= (JSON.parse(text) as ExecutionResult).data),
  });
  return result;
}

/**
 * The media type graphql-yoga answers a single result with for this Accept header (its result processors: the
 * request's types from last to first, the regular processor's types in order, the last match wins), or null when
 * it would choose another processor (event stream, multipart) or refuse with 406.
 */
export function responseMediaType(accept: string | undefined): string | null {
  const requested = (accept || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .filter((entry) => (entry.split(';').slice(1).find((p) => p.includes('charset=')) ?? 'charset=utf-8') === 'charset=utf-8')
    .map((entry) => entry.split(';')[0])
    .reverse();
  let chosen: string | null = null;
  for (const asked of requested) {
    const [pre, suf] = asked.split('/');
    for (const offered of RESPONSE_MEDIA_TYPES) {
      const [offeredPre, offeredSuf] = offered.split('/');
      if ((pre === '*' || pre === offeredPre) && (suf === '*' || suf === offeredSuf)) chosen = offered;
    }
  }
  return chosen;
}

function postJson(agent: http.Agent, url: URL, body: string, headers: Record<string, string | null>): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const outgoing: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'content-length': String(Buffer.byteLength(body)),
    };
    for (const [name, value] of Object.entries(headers)) if (value !== null) outgoing[name] = value;
    const req = http.request({ agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: outgoing }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks) : null));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
