import { GraphQLError } from 'graphql';
import type pino from 'pino';
import { AppError, createLogger, ErrorCode, formatError, notFound } from '@genuine/kit';

const lines: string[] = [];
const log = createLogger({ level: 'error', name: 'test', destination: { write: (line: string) => lines.push(line) } as pino.DestinationStream });
const format = (error: unknown, formatted = { message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }) =>
  formatError(formatted, error, log);

describe('formatError', () => {
  beforeEach(() => (lines.length = 0));

  it('passes expected errors with their code and message', () => {
    expect(format(new GraphQLError('x', { originalError: notFound('Machine') }))).toEqual({
      message: 'Machine not found',
      locations: undefined,
      path: undefined,
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('masks anything unexpected and logs it once, without SQL in the response', () => {
    const boom = new Error('insert into registry.machine (...) values (...) - relation does not exist');
    const out = format(new GraphQLError(boom.message, { originalError: boom, path: ['registerMachine'] }));
    expect(out).toEqual({ message: 'Internal server error', path: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('insert into');
    expect(lines[0]).toContain('relation does not exist');
  });

  it('turns unique violations into CONFLICT and malformed requests into BAD_USER_INPUT', () => {
    const dup = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(format(new GraphQLError('dup', { originalError: dup })).extensions).toEqual({ code: 'CONFLICT' });
    expect(format(new GraphQLError('Syntax Error'), { message: 'Syntax Error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }).extensions).toEqual({
      code: 'BAD_USER_INPUT',
    });
  });

  it('reports argument validation failures field by field', () => {
    const validation = Object.assign(new Error('Argument Validation Error'), {
      name: 'ArgumentValidationError',
      validationErrors: [{ property: 'input', children: [{ property: 'code', constraints: { matches: 'code must be lowercase' } }] }],
    });
    expect(format(new GraphQLError('x', { originalError: validation })).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.code', messages: ['code must be lowercase'] }],
    });
  });

  it('has exactly the closed set of codes of the design', () => {
    expect(Object.values(ErrorCode).sort()).toEqual(
      ['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN', 'INTERNAL_SERVER_ERROR', 'NOT_FOUND', 'SEAT_LIMIT_EXCEEDED', 'UNAUTHENTICATED'].sort(),
    );
    expect(new AppError(ErrorCode.SEAT_LIMIT_EXCEEDED, 'full').extensions).toEqual({ code: 'SEAT_LIMIT_EXCEEDED' });
  });
});
