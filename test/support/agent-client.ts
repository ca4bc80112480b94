import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { TEST_ADMIN_TOKEN } from './stack';

export const AGENT_FIXTURES = path.resolve(__dirname, '../fixtures/agents');

export interface AgentResponse {
  status: number;
  headers: Headers;
  /** The body as text, inflated when it was zlib-compressed (as the agents would). */
  text: string;
  ms: number;
}

/** Posts one agent request to the gateway's `/ocsinventory`, as an agent would (HTTP Basic, user name ignored). */
export async function postAgent(
  baseUrl: string,
  body: Buffer | string,
  options: { contentType?: string; password?: string | null; headers?: Record<string, string> } = {},
): Promise<AgentResponse> {
  const password = options.password === undefined ? TEST_ADMIN_TOKEN : options.password;
  const started = Date.now();
  const response = await fetch(`${baseUrl}/ocsinventory`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-compress-zlib',
      ...(password === null ? {} : { authorization: `Basic ${Buffer.from(`agent:${password}`).toString('base64')}` }),
      ...(options.headers ?? {}),
    },
    body: new Uint8Array(typeof body === 'string' ? Buffer.from(body, 'utf8') : body),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  const text = raw[0] === 0x78 ? inflateSync(raw).toString('utf8') : raw.toString('utf8');
  return { status: response.status, headers: response.headers, text, ms: Date.now() - started };
}

/** A fixture's XML with its TAG (ACCOUNTINFO KEYVALUE) and host name replaced, zlib-compressed as the agents send it. */
export function retaggedFixture(file: string, tag: string, hostname?: string): Buffer {
  let xml = readFileSync(path.join(AGENT_FIXTURES, file), 'utf8');
  xml = xml.replace(/(<KEYNAME>TAG<\/KEYNAME>\s*<KEYVALUE>)[^<]*(<\/KEYVALUE>)/, `$1${tag}$2`);
  if (hostname) xml = xml.replace(/nx-edu-pc042/g, hostname);
  return deflateSync(Buffer.from(xml, 'utf8'), { level: 6 });
}

/** Runs a command with a clean environment (the agents copy theirs into the inventory) and collects its output. */
export function run(command: string, args: string[], timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
