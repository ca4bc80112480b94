import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_PAGE_SIZE, ErrorCode } from '@genuine/kit';

/**
 * Limits on what one operation may ask, applied before planning (DESIGN → production defaults). They hold in
 * every mode, so a query that works in development works in production. `__typename` aliases count as aliases
 * and introspection counts toward depth and cost: graphql-armor's defaults let both through.
 */
export const operationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 3000,
  /** Roughly the number of fields a response may hold: 500 units x 20 machines of 8 fields still fits. */
  maxCost: 100_000,
  /** Request bodies above this are refused with 413 before parsing. */
  maxBodyBytes: 100_000,
} as const;

export function limitPlugins(options: { blockFieldSuggestions: boolean }): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: operationLimits.maxDepth, ignoreIntrospection: false, flattenFragments: true },
      maxAliases: { n: operationLimits.maxAliases, allowList: [] },
      maxDirectives: { n: operationLimits.maxDirectives },
      maxTokens: { n: operationLimits.maxTokens },
      // Cost is estimated below with the operation's variables, which graphql-armor's cost rule cannot see.
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
    }) as Plugin,
    costLimitPlugin(operationLimits.maxCost),
  ];
}

/** A page of a connection costs `first` (default 20) times one item; every other field costs 1. */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((a) => a.name === 'first')) return undefined;
  const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
  return 1 + first * childComplexity;
};

/** The estimated size of an operation's answer, counting page sizes given as literals or as variables. */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string | null): number {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName: operationName ?? undefined,
    estimators: [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

function costLimitPlugin(maxCost: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let cost: number;
      try {
        cost = operationCost(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName);
      } catch {
        return; // variables that do not coerce: execution reports that as the client's error
      }
      if (cost > maxCost) {
        setResultAndStopExecution({
          errors: [new GraphQLError(`Query cost limit of ${maxCost} exceeded (estimated ${cost}); ask for smaller pages`, { extensions: { code: ErrorCode.BAD_USER_INPUT } })],
        });
      }
    },
  };
}

/**
 * A token bucket per caller (keyed by a digest of the credential) refilled at `perMinute`. The state is per
 * gateway replica on purpose: a limit is a guard against floods, not a quota, so replicas need not agree; the
 * effective limit is `perMinute` times the number of replicas.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before retrying, or 0 when the request may go ahead. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updated: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updated) * ratePerMs);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.evictFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / ratePerMs / 1000);
  }

  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updated) * (this.perMinute / 60_000) >= this.perMinute) this.buckets.delete(key);
    }
  }
}
