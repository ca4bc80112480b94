import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';

/** The closed set of error codes a client can ever see (DESIGN → API conventions). */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  SEAT_LIMIT_EXCEEDED: 'SEAT_LIMIT_EXCEEDED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
const knownCodes = new Set<string>(Object.values(ErrorCode));

/** An expected failure: its message is written for the client and carries no secret, SQL or stack. */
export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message, { extensions: { code, ...(details ?? {}) } });
    this.name = 'AppError';
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, details);
export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const conflict = (message: string) => new AppError(ErrorCode.CONFLICT, message);
export const forbidden = (message = 'You are not allowed to do this') => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = 'A valid bearer token is required') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);

/** Apollo's and graphql-js's own codes for malformed requests, reported to clients as BAD_USER_INPUT. */
const clientFaultCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** True for PostgreSQL's unique_violation, optionally of one named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

interface DbErrorLike {
  code?: unknown;
  name?: unknown;
}
function unwrap(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5 && current instanceof Error; i++) {
    if (current instanceof GraphQLError && current.originalError) current = current.originalError;
    else break;
  }
  return current;
}

/**
 * Turns any error into what a client may see: known codes pass with their message; input validation keeps its
 * field-level details; everything else becomes INTERNAL_SERVER_ERROR with a fixed message and is logged with the
 * request id. No stack trace, exception detail or SQL text ever leaves the process.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: Logger): GraphQLFormattedError {
  const original = unwrap(error);
  const code = formatted.extensions?.code;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (original instanceof AppError) {
    const { code: c, ...rest } = original.extensions as Record<string, unknown>;
    return { ...base, message: original.message, extensions: { ...rest, code: c } };
  }
  if (isValidationError(original)) {
    return {
      ...base,
      message: 'Argument validation failed',
      extensions: { code: ErrorCode.BAD_USER_INPUT, fields: validationFields(original) },
    };
  }
  if ((original as DbErrorLike | null)?.code === '23505') {
    return { ...base, message: 'This conflicts with an existing record', extensions: { code: ErrorCode.CONFLICT } };
  }
  if (typeof code === 'string' && clientFaultCodes.has(code)) {
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  // Errors raised by graphql-js or the server itself (no underlying exception) already carry a safe message.
  const raisedByGraphQL = original === undefined || (original instanceof GraphQLError && !original.originalError);
  if (raisedByGraphQL && typeof code === 'string' && knownCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { ...base, extensions: { code } };
  }
  log?.error({ err: original, path: formatted.path }, 'unexpected error');
  return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

interface ValidationErrorLike {
  name: string;
  validationErrors: Array<{ property: string; constraints?: Record<string, string>; children?: unknown[] }>;
}
function isValidationError(e: unknown): e is ValidationErrorLike {
  return e instanceof Error && e.name === 'ArgumentValidationError' && Array.isArray((e as unknown as ValidationErrorLike).validationErrors);
}
function validationFields(e: ValidationErrorLike): Array<{ field: string; messages: string[] }> {
  const out: Array<{ field: string; messages: string[] }> = [];
  const walk = (errors: ValidationErrorLike['validationErrors'], prefix: string) => {
    for (const err of errors) {
      const field = prefix ? `${prefix}.${err.property}` : err.property;
      if (err.constraints) out.push({ field, messages: Object.values(err.constraints) });
      if (err.children?.length) walk(err.children as ValidationErrorLike['validationErrors'], field);
    }
  };
  walk(e.validationErrors, '');
  return out;
}
