import type { Express, Request, Response } from 'express';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { parseBasicPassword, type Authenticator, type Logger } from '@genuine/kit';
import {
  AgentProtocolError,
  agentBodyHash,
  buildContactReply,
  buildGlpiOkReply,
  buildInventoryReply,
  buildPrologReply,
  decodeAgentBody,
  encodeGlpiReply,
  parseAgentMessage,
  peekAgentBody,
  type AgentReply,
  type DecodedAgentBody,
  type ParseLimits,
} from './agent-protocol';
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
}

const CHALLENGE = 'Basic realm="Genuine"';

class BodyTooLarge extends Error {}

/**
 * `POST /ocsinventory`, the inventory agents' endpoint, speaking their protocol (test/fixtures/agents/README.md):
 * credentials are checked from the headers before any byte of the body is decoded, and a request without them is
 * answered 401 with the Basic challenge both agents wait for; PROLOG is answered SEND, an INVENTORY is stored and
 * acknowledged, a GLPI CONTACT gets its task list. Thin like a resolver: the ingest service decides.
 */
export function mountAgentEndpoint(app: Express, deps: AgentEndpointDeps): void {
  const limits = deps.limits ?? DEFAULT_AGENT_LIMITS;
  // Normalized titles and their ids, shared by the endpoint's requests (bounded; see TitleRowMemo).
  const titles = new TitleRowMemo();
  // Concurrent identical re-sends are recorded in one statement and commit (see IdenticalResendBatcher).
  const resends = new IdenticalResendBatcher(() => deps.orm.em.fork());
  // The acknowledgement is constant per compression: compressed once, not once per inventory.
  const acknowledgements = new Map<string, AgentReply>();
  const acknowledge = (request: Pick<DecodedAgentBody, 'format' | 'compression'>): AgentReply => {
    const key = `${request.format}:${request.compression}`;
    let reply = acknowledgements.get(key);
    if (!reply) {
      reply = request.format === 'json' ? encodeGlpiReply(buildGlpiOkReply(), request.compression) : buildInventoryReply({ compression: request.compression });
      acknowledgements.set(key, reply);
    }
    return reply;
  };

  app.post(AGENT_PATH, async (req: Request, res: Response) => {
    const requestId = String(res.locals.requestId);
    const log = deps.log.child({ requestId, endpoint: AGENT_PATH });
    const receivedAt = new Date();
    const token = parseBasicPassword(req.headers.authorization);
    const actor = token === null ? null : await deps.authenticator.verifyToken(token).catch((err: unknown) => {
      log.error({ err }, 'token verification failed');
      return null;
    });
    if (token === null || actor === null) {
      await challenge(req, res, limits.maxUnauthenticatedBytes);
      return;
    }
    const credentials: AgentCredentials = { actor, token };

    let decoded: Pick<DecodedAgentBody, 'format' | 'compression'> | null = null;
    try {
      const body = await readBody(req, limits.maxBodyBytes);
      const contentType = req.headers['content-type'];
      // The entity manager is forked on first use: an identical re-send goes through the batcher and needs none.
      let em: EntityManager | undefined;
      const ingest = new IngestService({
        get em() {
          return (em ??= deps.orm.em.fork());
        },
        requestId,
        log,
        registrar: deps.registrar,
        titles,
        resends,
      });
      // A byte-identical re-send of a machine's current inventory is answered before inflating or parsing it.
      const bodyHash = agentBodyHash(body, contentType);
      const seen = peekAgentBody(body, contentType);
      if (seen !== null) {
        decoded = seen;
        const resent = await ingest.resubmit(credentials, bodyHash, receivedAt);
        if (resent !== null) {
          log.info({ machineId: resent.machineId, outcome: resent.outcome, reportId: resent.reportId, identicalBody: true }, 'inventory received');
          return send(res, 200, acknowledge(seen));
        }
      }
      const full = decodeAgentBody(body, contentType, { maxInflatedBytes: limits.maxInflatedBytes });
      decoded = full;
      const message = parseAgentMessage(full, limits.parse);
      // The GLPI agent marks every request with GLPI-Agent-ID; it expects JSON answers even to its XML PROLOG.
      const glpiAgent = req.headers['glpi-agent-id'] !== undefined;
      switch (message.kind) {
        case 'PROLOG':
          await ingest.authorize(credentials, message.tag);
          return send(res, 200, glpiAgent ? encodeGlpiReply(buildGlpiOkReply(), decoded.compression) : buildPrologReply({ compression: decoded.compression }));
        case 'CONTACT':
          await ingest.authorize(credentials, message.tag);
          return send(res, 200, encodeGlpiReply(buildContactReply(message), decoded.compression));
        case 'INVENTORY': {
          const result = await ingest.submit(credentials, message.inventory, receivedAt, bodyHash);
          log.info({ machineId: result.machineId, outcome: result.outcome, reportId: result.reportId, newTitles: result.newTitles }, 'inventory received');
          return send(res, 200, acknowledge(full));
        }
      }
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        return send(res, 413, plain(`BODY_TOO_LARGE: The body exceeds ${limits.maxBodyBytes} bytes`));
      }
      if (err instanceof AgentProtocolError || err instanceof AgentRefusal) {
        log.info({ status: err.status, code: err.code, reason: err.message }, 'agent request refused');
        return send(res, err.status, errorReply(err, decoded));
      }
      log.error({ err }, 'agent request failed');
      return send(res, 500, errorReply({ code: 'INTERNAL_ERROR', message: 'The inventory could not be stored; send it again later' }, decoded));
    }
  });

  app.all(AGENT_PATH, (_req, res) => {
    res.setHeader('allow', 'POST');
    send(res, 405, plain('METHOD_NOT_ALLOWED: agents POST to this endpoint'));
  });
}

/**
 * 401 with the Basic challenge. The agents send their whole body before they read the answer, so it is read and
 * dropped (never buffered) up to a cap; past the cap the connection is closed instead of read on.
 */
async function challenge(req: Request, res: Response, maxBytes: number): Promise<void> {
  res.setHeader('www-authenticate', CHALLENGE);
  const declared = Number(req.headers['content-length'] ?? 0);
  let oversized = declared > maxBytes;
  if (!oversized) {
    let seen = 0;
    try {
      for await (const chunk of req) {
        seen += (chunk as Buffer).length;
        if (seen > maxBytes) {
          oversized = true;
          break;
        }
      }
    } catch {
      oversized = true;
    }
  }
  if (oversized) res.setHeader('connection', 'close');
  send(res, 401, plain('UNAUTHENTICATED: agent credentials required (HTTP Basic; the password is an AGENT token)'));
  if (oversized) res.once('finish', () => req.socket.destroy());
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

function send(res: Response, status: number, reply: AgentReply): void {
  res.status(status);
  res.setHeader('content-type', reply.contentType);
  res.setHeader('content-length', String(reply.body.length));
  res.end(reply.body);
}
