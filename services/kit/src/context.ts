import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Actor } from './auth';

/** What every resolver receives: built fresh per request, never shared. */
export interface RequestContext<TLoaders> {
  readonly requestId: string;
  readonly actor: Actor;
  readonly log: Logger;
  readonly em: EntityManager;
  readonly loaders: TLoaders;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's request id when it is well-formed, otherwise makes one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** Request headers with one string each (repeated ones joined by ", ", as HTTP folds them), names in lower case. */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
