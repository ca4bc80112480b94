import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '@genuine/kit';

const closedSet = new Set<string>(Object.values(ErrorCode));
const clientFaults = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST']);
/** Extension keys a client may see; everything else a subgraph or the runtime adds (service names, stack traces, HTTP details) is dropped. */
const visibleExtensions = new Set(['code', 'fields']);

/** Maps one error to the closed set of codes, with no internals attached. */
export function sanitizeError(error: GraphQLError): GraphQLError {
  const raw = error.extensions?.code;
  const code = typeof raw === 'string' ? raw : undefined;
  let finalCode: string;
  let message = error.message;
  if (code && closedSet.has(code)) finalCode = code;
  else if (code && clientFaults.has(code)) finalCode = ErrorCode.BAD_USER_INPUT;
  // Request-level errors (no path): validation rules such as the operation limits, variable coercion.
  else if (!code && !error.path && (!error.originalError || isClientStatus(error.extensions?.http))) finalCode = ErrorCode.BAD_USER_INPUT;
  else finalCode = ErrorCode.INTERNAL_SERVER_ERROR;
  if (finalCode === ErrorCode.INTERNAL_SERVER_ERROR) message = 'Internal server error';
  else message = withoutVariableValue(message);
  const extensions: Record<string, unknown> = { code: finalCode };
  for (const [key, value] of Object.entries(error.extensions ?? {})) {
    if (visibleExtensions.has(key) && key !== 'code') extensions[key] = value;
  }
  // Keep the HTTP status the runtime chose for request-level errors (e.g. 400 for a parse failure).
  const http = error.extensions?.http;
  if (http && typeof http === 'object') extensions.http = http;
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}

/**
 * graphql-js quotes a rejected variable's whole value in its message (`Variable "$i" got invalid value { keys:
 * ["…"] }; …`), and scalars the rejected part of it: a license key or token the client sent would come back in an
 * error that dashboards and proxies log. Keep the variable, the path and the reason; drop the values.
 */
export function withoutVariableValue(message: string): string {
  const head = /^Variable "\$[_A-Za-z][_0-9A-Za-z]*" got invalid value/.exec(message);
  if (!head) return message;
  const cut = message.lastIndexOf('; ');
  const at = cut < 0 ? null : / at "([\w.[\]]*)"$/.exec(message.slice(0, cut));
  const reason = cut < 0 ? '' : message.slice(cut + 2).replace(/(value)(:| of)?\s[\s\S]*$/, '$1.');
  return `${head[0]}${at ? ` at "${at[1]}"` : ''}${reason ? `; ${reason}` : '.'}`;
}

function isClientStatus(http: unknown): boolean {
  const status = (http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function sanitizeResult<T extends ExecutionResult>(result: T): T {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map((e) => sanitizeError(e instanceof GraphQLError ? e : new GraphQLError(String(e)))) };
}

/**
 * The gateway's last word on errors: only the closed set of codes leaves it, with the subgraph's message for
 * expected errors and a fixed one for everything else.
 */
export function useClosedErrorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((r) => sanitizeResult(r)));
      else if (!(Symbol.asyncIterator in (result as object))) setResult(sanitizeResult(result as ExecutionResult));
    },
  };
}
