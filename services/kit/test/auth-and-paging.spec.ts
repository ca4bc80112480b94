import type pino from 'pino';
import { AdminTokenVerifier, Authenticator, AppError, createLogger, decodeCursor, encodeCursor, pageArgs, parseBasicPassword, parseBearer, scrubSql, sqlArray } from '@genuine/kit';

describe('bearer and basic credentials', () => {
  it('parses well-formed headers only', () => {
    expect(parseBearer('Bearer abc.def')).toBe('abc.def');
    expect(parseBearer('bearer   abc')).toBe('abc');
    expect(parseBearer('Basic abc')).toBeNull();
    expect(parseBearer(undefined)).toBeNull();
    expect(parseBasicPassword(`Basic ${Buffer.from('agent:s3cr:et').toString('base64')}`)).toBe('s3cr:et');
    expect(parseBasicPassword(`Basic ${Buffer.from('agent:').toString('base64')}`)).toBeNull();
  });

  it('accepts exactly the admin token as a global ADMIN', async () => {
    const auth = new Authenticator([new AdminTokenVerifier('the-admin-token-123456')]);
    expect(await auth.fromBearer('Bearer the-admin-token-123456')).toEqual({ id: 'admin-token', role: 'ADMIN', scopeUnitId: null, scopeUnitCode: null });
    expect(await auth.fromBearer('Bearer the-admin-token-12345')).toBeNull();
    expect(await auth.fromBearer(undefined)).toBeNull();
  });
});

describe('paging', () => {
  it('defaults to 20, caps at 500 and round-trips cursors', () => {
    expect(pageArgs(undefined, undefined)).toEqual({ first: 20, after: null });
    expect(pageArgs(500, encodeCursor(['pc-1', 'id']))).toEqual({ first: 500, after: ['pc-1', 'id'] });
    expect(() => pageArgs(501, null)).toThrow(AppError);
    expect(() => pageArgs(-1, null)).toThrow('first must be between 0 and 500');
    expect(() => decodeCursor('%%%')).toThrow('after is not a valid cursor');
  });
});

describe('sql helpers', () => {
  it('quotes array literals so any value stays one element', () => {
    expect(sqlArray(['a', 'b,c', 'd"e', 'f\\g'])).toBe('{"a","b,c","d\\"e","f\\\\g"}');
    expect(sqlArray([])).toBe('{}');
  });

  it('keeps the reason and drops the statement of driver messages', () => {
    expect(scrubSql('select * from x where a = 1 - relation "x" does not exist')).toBe('relation "x" does not exist');
    expect(scrubSql('connection refused')).toBe('connection refused');
    expect(scrubSql('select 1 - invalid input syntax for type uuid: "AB12-CD34"')).toBe('invalid input syntax for type uuid: "[redacted]"');
  });
});

describe('logger', () => {
  it('redacts secrets wherever they appear', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', name: 't', destination: { write: (l: string) => lines.push(l) } as pino.DestinationStream });
    log.info({ authorization: 'Bearer abc', input: { token: 'tok', licenseKey: 'XXXXX-YYYYY', keys: ['K1'] }, password: 'pw' }, 'hello');
    expect(lines[0]).not.toMatch(/abc|tok"|XXXXX|K1|"pw"/);
    expect(JSON.parse(lines[0])).toMatchObject({ authorization: '[redacted]', password: '[redacted]', input: { token: '[redacted]', licenseKey: '[redacted]' } });
  });
});
