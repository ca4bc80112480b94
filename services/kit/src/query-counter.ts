import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from 'pg';

const active = new AsyncLocalStorage<string[]>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = Client.prototype.query as (...args: unknown[]) => unknown;
  Client.prototype.query = function countedQuery(this: Client, ...args: unknown[]) {
    const statements = active.getStore();
    if (statements) {
      const first = args[0] as string | { text?: string } | undefined;
      statements.push(typeof first === 'string' ? first : (first?.text ?? '?'));
    }
    return original.apply(this, args);
  } as typeof Client.prototype.query;
}

/**
 * Runs `fn` and returns the SQL statements it sent through `pg` (the driver under MikroORM), counted only for
 * work started inside `fn`, so tests can pin how many statements a request takes (STYLE 7). For tests and
 * diagnostics; it patches `pg.Client` once, on first use.
 */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  install();
  const statements: string[] = [];
  const result = await active.run(statements, fn);
  return { result, statements };
}
