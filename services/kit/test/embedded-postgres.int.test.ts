import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/**
 * The embedded database serves many connections from one PostgreSQL session. Two clients whose extended-protocol
 * exchanges arrive in pieces must still each get their own statement's rows (see pglite-exclusive.ts). PGlite
 * runs in a child process: it cannot load inside a jest worker.
 */
let child: ChildProcess;
const db = { url: '' };
beforeAll(async () => {
  child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, '../../../test/support/embedded-server.ts')], {
    cwd: path.resolve(__dirname, '../../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  db.url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /embedded postgres: (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`embedded server exited with ${code}`)));
  });
}, 60_000);
afterAll(() => {
  child?.kill('SIGTERM');
});

const message = (type: string, body: Buffer) => {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'ascii');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
};
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const parse = (sql: string) => message('P', Buffer.concat([cstr(''), cstr(sql), int16(0)]));
const bind = (value: string) => message('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(1), int32(Buffer.byteLength(value)), Buffer.from(value), int16(0)]));
const execute = () => message('E', Buffer.concat([cstr(''), int32(0)]));
const sync = () => message('S', Buffer.alloc(0));

/** A bare wire-protocol client: connects, starts up, and collects DataRow values until ReadyForQuery. */
class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  static async connect(url: string): Promise<RawClient> {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const client = new RawClient(socket);
    const params = Buffer.concat([cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
    socket.write(Buffer.concat([int32(params.length + 8), int32(196608), params]));
    await client.untilReady();
    return client;
  }

  write(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** Reads messages up to and including ReadyForQuery; returns the text of every DataRow column. */
  async untilReady(): Promise<string[][]> {
    const rows: string[][] = [];
    for (;;) {
      while (this.buffer.length >= 5) {
        const type = String.fromCharCode(this.buffer[0]);
        const length = this.buffer.readInt32BE(1);
        if (this.buffer.length < length + 1) break;
        const body = this.buffer.subarray(5, length + 1);
        this.buffer = this.buffer.subarray(length + 1);
        if (type === 'D') {
          const columns: string[] = [];
          let offset = 2;
          for (let i = 0; i < body.readInt16BE(0); i++) {
            const size = body.readInt32BE(offset);
            columns.push(body.subarray(offset + 4, offset + 4 + size).toString('utf8'));
            offset += 4 + size;
          }
          rows.push(columns);
        }
        if (type === 'E') throw new Error(`server error: ${body.toString('utf8')}`);
        if (type === 'Z') return rows;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.end();
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('keeps one connection\u2019s Parse ... Sync together when its messages arrive in pieces', async () => {
  const a = await RawClient.connect(db.url);
  const b = await RawClient.connect(db.url);
  try {
    a.write(parse(`select $1::text as value, 'statement of A' as whose`));
    await pause(50);
    b.write(parse(`select $1::text as value, 'statement of B' as whose`), bind('b'), execute(), sync());
    await pause(50);
    a.write(bind('a'), execute(), sync());
    const [rowsOfA, rowsOfB] = await Promise.all([a.untilReady(), b.untilReady()]);
    expect(rowsOfA).toEqual([['a', 'statement of A']]);
    expect(rowsOfB).toEqual([['b', 'statement of B']]);
  } finally {
    a.close();
    b.close();
  }
});

it('lets the others go on when a connection leaves in the middle of an exchange', async () => {
  const a = await RawClient.connect(db.url);
  const b = await RawClient.connect(db.url);
  try {
    a.write(parse(`select 1`));
    await pause(50);
    a.close();
    await pause(50);
    b.write(parse(`select $1::text`), bind('still served'), execute(), sync());
    expect(await b.untilReady()).toEqual([['still served']]);
  } finally {
    b.close();
  }
});
