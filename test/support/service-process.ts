import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { serviceEnv } from './stack';

const root = path.resolve(__dirname, '../..');

/** One service's standalone entry point (`services/<entry>/src/main.ts`) running in a child process. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** From its "… listening" log line. */
  readonly url: string;
  /** Every JSON log line it printed, as parsed, in order (the array keeps growing while it runs). */
  readonly entries: ReadonlyArray<Record<string, unknown>>;
  output(): string;
}

/**
 * Starts an entry point as a container runs it (production-like settings, ports chosen by the process, logs at
 * info unless `env` says otherwise) and resolves once it logs that it is listening. Rejects, with its output, when it
 * exits first or does not listen within `timeoutMs`; a process that timed out is killed.
 */
export async function startServiceProcess(
  entry: 'registry' | 'audit' | 'gateway',
  env: Record<string, string>,
  options: { name?: string; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const name = options.name ?? entry;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', `services/${entry}/src/main.ts`], {
    cwd: root,
    env: serviceEnv({ LOG_LEVEL: 'info', DATABASE_POOL_MAX: '4', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const entries: Array<Record<string, unknown>> = [];
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output += `${line}\n`;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      entries.push(parsed);
      if (typeof parsed.url === 'string' && /listening/.test(String(parsed.msg))) {
        clearTimeout(timer);
        resolve(parsed.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${output}`));
    });
  });
  return { name, child, url, entries, output: () => output };
}
