/**
 * Loopback capture server for real inventory agents (FusionInventory 2.6, OCS unix agent 2.10, GLPI agent):
 * answers them the way the OCS / GLPI servers do, using the audit service's agent protocol module, and saves
 * every raw request (body and headers) so what the agents really send can be committed as fixtures.
 *
 *   node -r @swc-node/register test/tools/agent-capture-server.ts --port 18080 --out /tmp/captures [--password secret]
 *
 * Requests without HTTP Basic credentials (or, with --password, with another password) get
 * 401 + `WWW-Authenticate: Basic realm="Genuine"`, as the real endpoint answers: both agents only send
 * credentials after that challenge. A test tool, not a server: it binds 127.0.0.1 only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  AgentProtocolError,
  buildContactReply,
  buildErrorReply,
  buildGlpiOkReply,
  buildInventoryReply,
  buildPrologReply,
  decodeAgentBody,
  encodeGlpiReply,
  parseAgentMessage,
} from '../../services/audit/src/ingest/agent-protocol';
import type { AgentReply, DecodedAgentBody } from '../../services/audit/src/ingest/agent-protocol';

interface CaptureOptions {
  readonly port: number;
  readonly out: string;
  readonly password: string | null;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const DECODE_LIMITS = { maxInflatedBytes: 64 * 1024 * 1024 };
const PARSE_LIMITS = { maxFieldLength: 4096, maxSoftware: 50_000 };

function parseArgs(argv: readonly string[]): CaptureOptions {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const port = Number(value('--port') ?? '18080');
  const out = value('--out') ?? '/tmp/captures';
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('--port must be a TCP port number');
  return { port, out, password: value('--password') ?? null };
}

/** The password of a Basic credential, or null when there is none; the user name is ignored, as on the endpoint. */
function basicPassword(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, reply: AgentReply): void {
  response.writeHead(status, { 'Content-Type': reply.contentType, 'Content-Length': reply.body.length });
  response.end(reply.body);
}

/** Decides the answer the way OCS / GLPI servers do; returns a one-line summary for the console. */
function answer(request: IncomingMessage, body: Buffer, response: ServerResponse): string {
  let decoded: DecodedAgentBody | null = null;
  try {
    decoded = decodeAgentBody(body, request.headers['content-type'], DECODE_LIMITS);
    const message = parseAgentMessage(decoded, PARSE_LIMITS);
    // The GLPI agent marks itself with GLPI-Agent-ID; GLPI answers its PROLOG in JSON to switch it to the
    // GLPI protocol. OCS and FusionInventory agents get the OCS XML answers.
    const glpiAgent = request.headers['glpi-agent-id'] !== undefined;
    switch (message.kind) {
      case 'PROLOG':
        send(
          response,
          200,
          glpiAgent
            ? encodeGlpiReply(buildGlpiOkReply(), decoded.compression)
            : buildPrologReply({ compression: decoded.compression }),
        );
        return `PROLOG deviceId=${message.deviceId} tag=${message.tag ?? '-'}`;
      case 'CONTACT':
        send(response, 200, encodeGlpiReply(buildContactReply(message), decoded.compression));
        return `CONTACT deviceId=${message.deviceId} tag=${message.tag ?? '-'} enabled=${message.enabledTasks.join(',')}`;
      case 'INVENTORY': {
        const reply =
          decoded.format === 'json'
            ? encodeGlpiReply(buildGlpiOkReply(), decoded.compression)
            : buildInventoryReply({ compression: decoded.compression });
        send(response, 200, reply);
        const { inventory } = message;
        return `INVENTORY ${inventory.source} deviceId=${inventory.deviceId} tag=${inventory.tag ?? '-'} software=${inventory.software.length}`;
      }
    }
  } catch (error: unknown) {
    if (error instanceof AgentProtocolError) {
      send(response, error.status, buildErrorReply(error, decoded));
      return `refused ${error.status} ${error.code}: ${error.message}`;
    }
    throw error;
  }
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  mkdirSync(options.out, { recursive: true });
  let sequence = 0;

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      sequence += 1;
      const stem = join(options.out, `${String(sequence).padStart(3, '0')}-${request.method ?? 'X'}`);
      writeFileSync(`${stem}.body`, body);
      writeFileSync(
        `${stem}.headers.json`,
        `${JSON.stringify({ method: request.method, url: request.url, httpVersion: request.httpVersion, headers: request.headers }, null, 2)}\n`,
      );

      const password = basicPassword(request.headers.authorization);
      let summary: string;
      if (password === null || (options.password !== null && password !== options.password)) {
        response.writeHead(401, {
          'WWW-Authenticate': 'Basic realm="Genuine"',
          'Content-Type': 'text/plain; charset=utf-8',
        });
        response.end('Agent credentials required\n');
        summary = password === null ? '401 challenge (no credentials)' : '401 challenge (wrong password)';
      } else if (request.method !== 'POST') {
        response.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' });
        response.end('POST only\n');
        summary = '405 not a POST';
      } else {
        summary = answer(request, body, response);
      }
      const seen = [
        `type=${request.headers['content-type'] ?? '-'}`,
        `bytes=${body.length}`,
        `ua=${request.headers['user-agent'] ?? '-'}`,
        `auth=${request.headers.authorization === undefined ? 'no' : 'yes'}`,
      ].join(' ');
      process.stdout.write(`${stem} ${request.method ?? ''} ${request.url ?? ''} ${seen} -> ${summary}\n`);
    })().catch((error: unknown) => {
      process.stderr.write(`capture failed: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  server.listen(options.port, '127.0.0.1', () => {
    process.stdout.write(`agent capture server on http://127.0.0.1:${options.port}/ocsinventory, saving to ${options.out}\n`);
  });
}

main();
