import type { Express, Request, Response } from 'express';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { flatHeaders, parseBasicPassword, type Authenticator, type Logger } from '@genuine/kit';
import {
  AgentProtocolError,
  agentBodyHash,
  buildContactReply,
  buildGlpiOkReply,
  buildInventoryReply,
  buildPrologReply,
  encodeGlpiReply,
  peekAgentBody,
  type AgentReply,
  type DecodedAgentBody,
  type ParseLimits,
} from './agent-protocol';
import { AgentBodyReader } from './agent-body-reader';
import { AgentRefusal } from './agent-refusal';
import { IngestService, type AgentCredentials } from './ingest.service';
import { MAX_TITLE_PART_LENGTH, TitleRowMemo } from './inventory-content';
import type { MachineRegistrar } from './machine-registrar';
import { IdenticalResendBatcher } from './resend-batcher';

export const AGENT_PATH = '/ocsinventory';

export interface AgentEndpointLimits {
  /** Bytes read (and discarded) from a request without valid credentials before the connection is closed. */
  maxUnauthenticatedBytes: number;
  /** Largest accepted body as sent (compressed or not). */
  maxBodyBytes: number;
  /** Inflation stops here (decompression bombs). */
  maxInflatedBytes: number;
  parse: ParseLimits;
}

export const DEFAULT_AGENT_LIMITS: AgentEndpointLimits = {
  // Real inventories are 20-400 KB compressed; both agents send the whole body before they see the challenge.
  maxUnauthenticatedBytes: 4 * 1024 * 1024,
  maxBodyBytes: 16 * 1024 * 1024,
  maxInflatedBytes: 32 * 1024 * 1024,
  parse: { maxFieldLength: MAX_TITLE_PART_LENGTH, maxSoftware: 10_000 },
};

export interface AgentEndpointDeps {
  orm: MikroORM;
  authenticator: Authenticator;
  registrar: MachineRegistrar;
  log: Logger;
  limits?: AgentEndpointLimits;
  /** Threads that read bodies (inflate, parse, normalize titles); 0 (default) reads them on the main thread. */
  readerThreads?: number;
}

const CHALLENGE = 'Basic realm="Genuine"';

class BodyTooLarge extends Error {}

/** An agent request already read into memory: what the gateway hands over when the audit service runs in its process. */
export interface AgentRequest {
  method: string;
  /** Request headers, names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  requestId: string;
}

/** The answer to an agent: status, headers and body, as written to the agent's connection. */
export interface AgentAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The inventory agents' endpoint, speaking their protocol (test/fixtures/agents/README.md): credentials are checked
 * from the headers before any byte of the body is decoded, and a request without them is answered 401 with the Basic
 * challenge both agents wait for; PROLOG is answered SEND, an INVENTORY is stored and acknowledged, a GLPI CONTACT
 * gets its task list. Thin like a resolver: the ingest service decides. Served over HTTP by `mountAgentEndpoint`,
 * and in process by `handle` (the gateway of `npm start`'s one process calls it instead of relaying over HTTP).
 */
export class AgentEndpoint {
  private readonly limits: AgentEndpointLimits;
  // Which titles are known to be stored, shared by the endpoint's requests (bounded; see TitleRowMemo).
  private readonly titles = new TitleRowMemo();
  private readonly reader: AgentBodyReader;
  // Concurrent identical re-sends are recorded in one statement and commit (see IdenticalResendBatcher).
  private readonly resends: IdenticalResendBatcher;
  // The acknowledgement is constant per compression: compressed once, not once per inventory.
  private readonly acknowledgements = new Map<string, AgentReply>();

  constructor(private readonly deps: AgentEndpointDeps) {
    this.limits = deps.limits ?? DEFAULT_AGENT_LIMITS;
    this.resends = new IdenticalResendBatcher(() => deps.orm.em.fork());
    this.reader = new AgentBodyReader(deps.readerThreads ?? 0);
  }

  /** Stops the reading threads. */
  async close(): Promise<void> {
    await this.reader.close();
  }

  get maxUnauthenticatedBytes(): number {
    return this.limits.maxUnauthenticatedBytes;
  }

  get maxBodyBytes(): number {
    return this.limits.maxBodyBytes;
  }

  /** The caller, from the Basic credentials; null when they are missing or wrong. */
  async authenticate(authorization: string | undefined, log: Logger): Promise<AgentCredentials | null> {
    const token = parseBasicPassword(authorization);
    const actor = token === null ? null : await this.deps.authenticator.verifyToken(token).catch((err: unknown) => {
      log.error({ err }, 'token verification failed');
      return null;
    });
    return token === null || actor === null ? null : { actor, token };
  }

  /** 401 with the Basic challenge; `oversized`: the body was not read to its end, so the connection is closed. */
  challenge(oversized: boolean): AgentAnswer {
    const answer = toAnswer(401, plain('UNAUTHENTICATED: agent credentials required (HTTP Basic; the password is an AGENT token)'));
    answer.headers['www-authenticate'] = CHALLENGE;
    if (oversized) answer.headers.connection = 'close';
    return answer;
  }

  tooLarge(): AgentAnswer {
    const answer = toAnswer(413, plain(`BODY_TOO_LARGE: The body exceeds ${this.limits.maxBodyBytes} bytes`));
    answer.headers.connection = 'close';
    return answer;
  }

  methodNotAllowed(): AgentAnswer {
    const answer = toAnswer(405, plain('METHOD_NOT_ALLOWED: agents POST to this endpoint'));
    answer.headers.allow = 'POST';
    return answer;
  }

  /** A whole request, in process: the same answers, byte for byte, as over HTTP. */
  async handle(request: AgentRequest): Promise<AgentAnswer> {
    if (request.method !== 'POST') return this.methodNotAllowed();
    const log = this.deps.log.child({ requestId: request.requestId, endpoint: AGENT_PATH });
    const receivedAt = new Date();
    const credentials = await this.authenticate(request.headers.authorization, log);
    if (credentials === null) return this.challenge(request.body.length > this.limits.maxUnauthenticatedBytes);
    if (request.body.length > this.limits.maxBodyBytes) return this.tooLarge();
    return this.answer(credentials, { ...request, receivedAt, log });
  }

  /** An authenticated request's body: decoded, parsed, and acted on. */
  async answer(
    credentials: AgentCredentials,
    request: { headers: Readonly<Record<string, string | undefined>>; body: Buffer; requestId: string; receivedAt: Date; log: Logger },
  ): Promise<AgentAnswer> {
    const { body, requestId, receivedAt, log } = request;
    let decoded: Pick<DecodedAgentBody, 'format' | 'compression'> | null = null;
    try {
      const contentType = request.headers['content-type'];
      // The entity manager is forked on first use: an identical re-send goes through the batcher and needs none.
      let em: EntityManager | undefined;
      const { orm } = this.deps;
      const ingest = new IngestService({
        get em() {
          return (em ??= orm.em.fork());
        },
        requestId,
        log,
        registrar: this.deps.registrar,
        titles: this.titles,
        resends: this.resends,
      });
      // A byte-identical re-send of a machine's current inventory is answered before inflating or parsing it.
      const bodyHash = agentBodyHash(body, contentType);
      const seen = peekAgentBody(body, contentType);
      if (seen !== null) {
        decoded = seen;
        const resent = await ingest.resubmit(credentials, bodyHash, receivedAt);
        if (resent !== null) {
          log.info({ machineId: resent.machineId, outcome: resent.outcome, reportId: resent.reportId, identicalBody: true }, 'inventory received');
          return toAnswer(200, this.acknowledge(seen));
        }
      }
      const read = await this.reader.read({ body, contentType, maxInflatedBytes: this.limits.maxInflatedBytes, parse: this.limits.parse });
      decoded = read.decoded;
      if ('refused' in read) throw new AgentProtocolError(read.refused.status, read.refused.code, read.refused.message);
      const { message, decoded: full } = read;
      // The GLPI agent marks every request with GLPI-Agent-ID; it expects JSON answers even to its XML PROLOG.
      const glpiAgent = request.headers['glpi-agent-id'] !== undefined;
      switch (message.kind) {
        case 'PROLOG':
          await ingest.authorize(credentials, message.tag);
          return toAnswer(200, glpiAgent ? encodeGlpiReply(buildGlpiOkReply(), full.compression) : buildPrologReply({ compression: full.compression }));
        case 'CONTACT':
          await ingest.authorize(credentials, message.tag);
          return toAnswer(200, encodeGlpiReply(buildContactReply(message), full.compression));
        case 'INVENTORY': {
          const result = await ingest.submitRead(credentials, message, receivedAt, bodyHash);
          log.info({ machineId: result.machineId, outcome: result.outcome, reportId: result.reportId, newTitles: result.newTitles }, 'inventory received');
          return toAnswer(200, this.acknowledge(full));
        }
      }
    } catch (err) {
      if (err instanceof AgentProtocolError || err instanceof AgentRefusal) {
        log.info({ status: err.status, code: err.code, reason: err.message }, 'agent request refused');
        return toAnswer(err.status, errorReply(err, decoded));
      }
      log.error({ err }, 'agent request failed');
      return toAnswer(500, errorReply({ code: 'INTERNAL_ERROR', message: 'The inventory could not be stored; send it again later' }, decoded));
    }
  }

  private acknowledge(request: Pick<DecodedAgentBody, 'format' | 'compression'>): AgentReply {
    const key = `${request.format}:${request.compression}`;
    let reply = this.acknowledgements.get(key);
    if (!reply) {
      reply = request.format === 'json' ? encodeGlpiReply(buildGlpiOkReply(), request.compression) : buildInventoryReply({ compression: request.compression });
      this.acknowledgements.set(key, reply);
    }
    return reply;
  }
}

/** `POST /ocsinventory` over HTTP: the endpoint behind Express, reading the body only once the caller is known. */
export function mountAgentEndpoint(app: Express, deps: AgentEndpointDeps): AgentEndpoint {
  const endpoint = new AgentEndpoint(deps);
  app.post(AGENT_PATH, async (req: Request, res: Response) => {
    const requestId = String(res.locals.requestId);
    const log = deps.log.child({ requestId, endpoint: AGENT_PATH });
    const receivedAt = new Date();
    const credentials = await endpoint.authenticate(req.headers.authorization, log);
    if (credentials === null) {
      const oversized = !(await drain(req, endpoint.maxUnauthenticatedBytes));
      write(res, endpoint.challenge(oversized));
      if (oversized) res.once('finish', () => req.socket.destroy());
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, endpoint.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) return write(res, endpoint.tooLarge());
      // The body broke off (the agent went away): answered as any failure, in case anyone still listens.
      log.error({ err }, 'agent request failed');
      return write(res, toAnswer(500, errorReply({ code: 'INTERNAL_ERROR', message: 'The inventory could not be stored; send it again later' }, null)));
    }
    write(res, await endpoint.answer(credentials, { headers: flatHeaders(req.headers), body, requestId, receivedAt, log }));
  });
  app.all(AGENT_PATH, (_req, res) => write(res, endpoint.methodNotAllowed()));
  return endpoint;
}


/**
 * Reads and drops the body of a request without credentials, up to a cap (the agents send their whole body
 * before they read the answer); false when the cap was passed or the body broke off, so the connection must close.
 */
async function drain(req: Request, maxBytes: number): Promise<boolean> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return false;
  let seen = 0;
  try {
    for await (const chunk of req) {
      seen += (chunk as Buffer).length;
      if (seen > maxBytes) return false;
    }
  } catch {
    return false;
  }
  return true;
}

async function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** GLPI agents log the message of a JSON error; OCS and FusionInventory agents only the status line. */
function errorReply(error: { code: string; message: string }, request: Pick<DecodedAgentBody, 'format' | 'compression'> | null): AgentReply {
  if (request?.format === 'json') {
    return encodeGlpiReply({ status: 'error', message: error.message, expiration: 24 }, request.compression);
  }
  return plain(`${error.code}: ${error.message}`);
}

function plain(text: string): AgentReply {
  return { contentType: 'text/plain; charset=utf-8', body: Buffer.from(`${text}\n`, 'utf8') };
}

function toAnswer(status: number, reply: AgentReply): AgentAnswer {
  return { status, headers: { 'content-type': reply.contentType }, body: reply.body };
}

function write(res: Response, answer: AgentAnswer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader('content-length', String(answer.body.length));
  res.end(answer.body);
}
