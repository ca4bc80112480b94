import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { readStats, statementCounterNodeOptions, statsUrlFrom, type StatementStats } from './stats-client';

export const ROOT = path.resolve(__dirname, '../..');

export interface BenchChild {
  readonly name: string;
  /** The URL the child announced (its GraphQL endpoint). */
  readonly url: string;
  readonly statsUrl: string;
  readonly process: ChildProcess;
  output(): string;
  stats(options?: { reset?: boolean }): Promise<StatementStats>;
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript entry point in its own process with the statement-counter preload, on 127.0.0.1, and waits
 * until it prints its URL (matched by `ready`, first group) and its stats URL. BENCH_CHILD_NODE_ARGS adds flags Node
 * refuses in NODE_OPTIONS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile every process of the stack.
 */
export async function startChild(name: string, entry: string, env: Record<string, string>, ready: RegExp, timeoutMs = 90_000): Promise<BenchChild> {
  const extraNodeArgs = process.env.BENCH_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extraNodeArgs, '-r', '@swc-node/register', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_OPTIONS: statementCounterNodeOptions(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const [url, statsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const check = () => {
      const match = ready.exec(output);
      const stats = statsUrlFrom(output);
      if (match && stats) {
        clearTimeout(timer);
        resolve([match[1], stats]);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    name,
    url,
    statsUrl,
    process: child,
    output: () => output,
    stats: (options) => readStats(statsUrl, options),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
