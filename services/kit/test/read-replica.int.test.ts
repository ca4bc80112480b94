import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { EntitySchema } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { executeStaleRead, loadConfig, serviceOrmConfig, staleRead, withClient } from '../src';
import { serverAdminUrl, testDatabaseMode, testDatabaseUrl } from '../../../test/support/test-database';

/*
 * Two databases stand in for a primary and its replica: the same probe table holds "primary" in one and "replica"
 * in the other, so every read says where it went.
 */
const table = `replica_probe_${randomBytes(4).toString('hex')}`;
const Probe = new EntitySchema<{ id: number; server: string }>({
  name: 'ReplicaProbe',
  tableName: table,
  schema: 'public',
  properties: { id: { type: 'number', primary: true }, server: { type: 'string' } },
});

let replicaUrl = '';
let disposeReplica: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  if (testDatabaseMode() === 'server') {
    const name = `genuine_test_${process.pid}_replica_${randomBytes(3).toString('hex')}`;
    await withClient(serverAdminUrl(), (c) => c.query(`create database ${name}`));
    const url = new URL(serverAdminUrl());
    url.pathname = `/${name}`;
    replicaUrl = url.toString();
    disposeReplica = async () => {
      await withClient(serverAdminUrl(), (c) => c.query(`drop database if exists ${name} with (force)`));
    };
  } else {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'embedded-postgres.process.ts')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    replicaUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited ${code}`)));
    });
    disposeReplica = () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      });
  }
  for (const [url, server] of [
    [testDatabaseUrl(), 'primary'],
    [replicaUrl, 'replica'],
  ]) {
    await withClient(url, async (c) => {
      await c.query(`create table public.${table} (id int primary key, server text not null)`);
      await c.query(`insert into public.${table} values (1, $1)`, [server]);
    });
  }
});

afterAll(async () => {
  await withClient(testDatabaseUrl(), (c) => c.query(`drop table if exists public.${table}`));
  await disposeReplica();
});

/** An ORM configured the way a service's is: from the environment, through loadConfig and serviceOrmConfig. */
async function ormFor(env: Record<string, string>) {
  const config = loadConfig(env);
  return MikroORM.init(
    serviceOrmConfig({
      schema: 'audit',
      entities: [Probe as unknown as new () => object],
      migrationsDir: tmpdir(),
      migrationsList: [],
      databaseUrl: config.databaseUrl ?? '',
      readUrl: config.databaseReadUrl,
      poolMax: 2,
    }),
  );
}

const sql = `select server from public.${table}`;

describe('reads that tolerate staleness', () => {
  it('go to DATABASE_READ_URL when it is configured, while writes and plain reads stay on the primary', async () => {
    const orm = await ormFor({ DATABASE_URL: testDatabaseUrl(), DATABASE_READ_URL: replicaUrl });
    try {
      const em = orm.em.fork();
      expect(await executeStaleRead(em, sql)).toEqual([{ server: 'replica' }]);
      expect((await em.find(Probe, {}, staleRead(em))).map((p) => p.server)).toEqual(['replica']);
      expect(await em.execute(sql)).toEqual([{ server: 'primary' }]);
      expect((await em.find(Probe, {}, { connectionType: 'write' })).map((p) => p.server)).toEqual(['primary']);
      // Inside a transaction a stale read must still see the transaction's own writes: it stays on its connection.
      await em.transactional(async (tx) => {
        await tx.execute(`update public.${table} set server = 'primary, in transaction'`);
        expect(await executeStaleRead(tx, sql)).toEqual([{ server: 'primary, in transaction' }]);
        expect((await tx.find(Probe, {}, staleRead(tx))).map((p) => p.server)).toEqual(['primary, in transaction']);
        throw new RollbackProbe();
      }).catch((err: unknown) => {
        if (!(err instanceof RollbackProbe)) throw err;
      });
    } finally {
      await orm.close();
    }
  });

  it('go to the primary when no read replica is configured', async () => {
    const orm = await ormFor({ DATABASE_URL: testDatabaseUrl() });
    try {
      const em = orm.em.fork();
      expect(await executeStaleRead(em, sql)).toEqual([{ server: 'primary' }]);
      expect((await em.find(Probe, {}, staleRead(em))).map((p) => p.server)).toEqual(['primary']);
    } finally {
      await orm.close();
    }
  });
});

class RollbackProbe extends Error {}
