import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that may hold a secret anywhere in a log line. Redaction applies in every environment: a token or a
 * license key in a log is a leak even on a developer's machine.
 */
export const redactedPaths = [
  'authorization',
  'password',
  'token',
  'secret',
  'licenseKey',
  'key',
  '*.authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.licenseKey',
  '*.key',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'input.keys',
  '*.input.keys',
];

export function createLogger(options: { level: string; name: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      base: { service: options.name },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: safeErrorSerializer },
    },
    options.destination,
  );
}

/** Logs an error's type, message and stack; SQL text that drivers attach (`sql`, `query`) is left out. */
function safeErrorSerializer(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const message = scrubSql(err.message);
  const out: Record<string, unknown> = { type: err.name, message, stack: err.stack?.replace(err.message, message) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  return out;
}

/**
 * Driver messages often embed the failing statement ("insert into ... - duplicate key"); keep only the reason.
 * PostgreSQL also quotes the offending input (`invalid input syntax for type uuid: "…"`), which may be anything a
 * client sent, a key or a token included; it is cut too.
 */
export function scrubSql(message: string): string {
  const dash = message.lastIndexOf(' - ');
  const reason = /^\s*(select|insert|update|delete|with|create|alter|drop)\b/i.test(message) && dash > 0 ? message.slice(dash + 3) : message;
  return reason.replace(/(invalid input (?:syntax|value) for [^:"]*:\s*)"[\s\S]*"/g, '$1"[redacted]"');
}
