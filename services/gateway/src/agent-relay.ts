import http, { type IncomingMessage, type ServerResponse } from 'node:http';

/** Request headers the agents' protocol needs upstream (credentials, body type, GLPI agent identity). */
const REQUEST_HEADERS = ['authorization', 'content-type', 'content-encoding', 'user-agent', 'glpi-agent-id', 'glpi-request-id', 'glpi-cryptokey-id', 'glpi-proxy-id'];
/** Response headers the agents read back (body type, the Basic challenge, back-off). */
const RESPONSE_HEADERS = ['content-type', 'www-authenticate', 'content-encoding', 'retry-after'];

export interface AgentRelayTarget {
  /** The audit service's URL; only its origin is used. */
  base: URL;
  /** The path agents post to, relayed with the request's query string. */
  path: string;
  /** The header carrying the request id to the audit service, and its value. */
  requestIdHeader: string;
  requestId: string;
}

/**
 * Relays one agent request (its body already read; undefined for GET and HEAD) to the audit service and returns
 * the answer, all in memory: bytes in; status, the headers agents need and bytes out. It uses node:http over
 * Node's global agent, which keeps connections alive (Node ≥ 19) and closes idle ones before the server's
 * announced keep-alive timeout: global fetch (undici) cost the gateway several times this per request (WHATWG
 * headers and streams, array-buffer copies), for bodies that are small and in memory anyway.
 */
export async function relayAgentRequest(req: IncomingMessage, body: Buffer | undefined, target: AgentRelayTarget): Promise<RelayedAnswer> {
  const headers: Record<string, string> = { [target.requestIdHeader]: target.requestId };
  for (const name of REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (body !== undefined) headers['content-length'] = String(body.length);
  const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
  const options: http.RequestOptions = {
    protocol: target.base.protocol,
    hostname: target.base.hostname,
    port: target.base.port,
    method: req.method ?? 'POST',
    path: target.path + query,
    headers,
  };
  try {
    return await send(options, body);
  } catch (err) {
    // A kept-alive connection the audit service closed just as it was reused: the request never reached it, so
    // it goes again once, on a fresh connection.
    if (err instanceof StaleConnection) return send(options, body);
    throw err;
  }
}

/** The audit service's answer, as the agent gets it. */
export interface RelayedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Writes a relayed answer to the agent. */
export function sendRelayedAnswer(res: ServerResponse, answer: RelayedAnswer): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader('content-length', String(answer.body.length));
  res.end(answer.body);
}

class StaleConnection extends Error {}

function send(options: http.RequestOptions, body: Buffer | undefined): Promise<RelayedAnswer> {
  return new Promise<RelayedAnswer>((resolve, reject) => {
    const upstream = http.request(options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const headers: Record<string, string> = {};
        for (const name of RESPONSE_HEADERS) {
          const value = response.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        resolve({ status: response.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
      });
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      reject(upstream.reusedSocket && err.code === 'ECONNRESET' ? new StaleConnection() : err);
    });
    upstream.end(body);
  });
}
