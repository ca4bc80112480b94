import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withClient } from '@genuine/kit';
import { gql, startTestStack, TEST_ADMIN_TOKEN, type RunningStack } from './support/stack';
import { serverAdminUrl, testDatabaseMode } from './support/test-database';

/**
 * The demo of `npm start` (DESIGN → Demo data), loaded into a fresh database by the real composition root with
 * GENUINE_DEMO=1: the compliance engine must compute the seed reports' figures exactly. On a PostgreSQL server the
 * test makes a database of its own (the worker's shared one may already hold units named like the demo's); in
 * embedded mode the stack runs on its own PGlite under a temporary GENUINE_DATA_DIR.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'genuine-demo-'));
const database = `genuine_demo_${process.pid}`;
let stack: RunningStack;

beforeAll(async () => {
  const env: Record<string, string> = { GENUINE_DEMO: '1', GENUINE_DATA_DIR: dataDir, GENUINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  if (testDatabaseMode() === 'server') {
    const admin = serverAdminUrl();
    await withClient(admin, (c) => c.query(`drop database if exists ${database} with (force)`));
    await withClient(admin, (c) => c.query(`create database ${database}`));
    const url = new URL(admin);
    url.pathname = `/${database}`;
    await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'support/migrate-databases.ts'), url.toString()], { cwd: path.resolve(__dirname, '..') });
    env.DATABASE_URL = url.toString();
  } else {
    env.DATABASE_URL = '';
  }
  stack = await startTestStack(env);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (testDatabaseMode() === 'server') await withClient(serverAdminUrl(), (c) => c.query(`drop database if exists ${database} with (force)`));
  rmSync(dataDir, { recursive: true, force: true });
});

async function data<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(stack.graphqlUrl, query, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data as T;
}

interface Compliance {
  machineCount: number;
  fullyLicensed: number;
  categories: Array<{ category: string; machineCount: number; licensed: number; unlicensed: number; missing: number; rate: number }>;
}

interface CategoryFigures {
  licensed: number;
  notLicensed: number;
  unlicensed: number;
  missing: number;
  rate: number;
}
type Figures = { machineCount: number; fullyLicensed: number } & Record<'OPERATING_SYSTEM' | 'OFFICE' | 'ANTIVIRUS', CategoryFigures>;

async function compliance(code: string): Promise<Figures> {
  const { orgUnit } = await data<{ orgUnit: { compliance: Compliance } }>(
    `query($code: String!) { orgUnit(code: $code) { compliance { machineCount fullyLicensed categories { category machineCount licensed unlicensed missing rate } } } }`,
    { code },
  );
  const tracked = Object.fromEntries(
    orgUnit.compliance.categories
      .filter((c) => ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS'].includes(c.category))
      .map((c) => [c.category, { licensed: c.licensed, notLicensed: c.unlicensed + c.missing, unlicensed: c.unlicensed, missing: c.missing, rate: c.rate }]),
  );
  return { machineCount: orgUnit.compliance.machineCount, fullyLicensed: orgUnit.compliance.fullyLicensed, ...tracked } as Figures;
}

interface MachinesPage {
  machines: { edges: Array<{ node: { kind: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Machine kinds of a subtree, counted over every page of `machines`. */
async function kinds(code: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let after: string | null = null;
  for (;;) {
    const page: MachinesPage = await data<MachinesPage>(
      `query($code: String!, $after: String) { machines(first: 500, after: $after, filter: { orgUnitCode: $code }) { edges { node { kind } } pageInfo { hasNextPage endCursor } } }`,
      { code, after },
    );
    for (const { node } of page.machines.edges) counts[node.kind] = (counts[node.kind] ?? 0) + 1;
    if (!page.machines.pageInfo.hasNextPage) return counts;
    after = page.machines.pageInfo.endCursor;
  }
}

async function operators(code: string): Promise<number> {
  return (await data<{ people: { totalCount: number } }>(`query($code: String!) { people(filter: { orgUnitCode: $code }) { totalCount } }`, { code })).people.totalCount;
}

it('Nanxun: 790 machines (678 desktops, 112 laptops), antivirus 790 licensed, office 420 licensed and 370 not', async () => {
  const figures = await compliance('nanxun');
  expect(figures).toMatchObject({
    machineCount: 790,
    ANTIVIRUS: { licensed: 790, notLicensed: 0, rate: 1 },
    OFFICE: { licensed: 420, notLicensed: 370, unlicensed: 370, missing: 0 },
    // The demo's own choice (the seed does not report it): Windows 7 Professional and Windows 10 Pro seats.
    OPERATING_SYSTEM: { licensed: 560, unlicensed: 230, missing: 0 },
  });
  expect(figures.OFFICE.rate).toBeCloseTo(420 / 790, 12);
  expect(figures.OFFICE.rate.toFixed(4)).toBe('0.5316');
  expect(await kinds('nanxun')).toEqual({ DESKTOP: 678, LAPTOP: 112 });
});

it('Luonan county-level agencies: 1318 machines, 1300 operators; OS 950/368, office 1006/312, antivirus 1064/254', async () => {
  const figures = await compliance('luonan-county');
  expect(figures).toMatchObject({
    machineCount: 1318,
    OPERATING_SYSTEM: { licensed: 950, notLicensed: 368 },
    OFFICE: { licensed: 1006, notLicensed: 312 },
    ANTIVIRUS: { licensed: 1064, notLicensed: 254 },
  });
  expect(figures.OPERATING_SYSTEM.rate.toFixed(4)).toBe('0.7208');
  expect(figures.OFFICE.rate.toFixed(4)).toBe('0.7633');
  expect(figures.ANTIVIRUS.rate.toFixed(4)).toBe('0.8073');
  expect(await operators('luonan-county')).toBe(1300);
  const counted = await kinds('luonan-county');
  expect((counted.DESKTOP ?? 0) + (counted.LAPTOP ?? 0)).toBe(1318);
});

it('Luonan township agencies: 665 machines, 426 operators, 217 fully licensed and 448 with nothing licensed', async () => {
  const figures = await compliance('luonan-towns');
  expect(figures).toMatchObject({
    machineCount: 665,
    fullyLicensed: 217,
    // Every machine is licensed in all three categories or in none: each category has exactly 217 licensed.
    OPERATING_SYSTEM: { licensed: 217, notLicensed: 448 },
    OFFICE: { licensed: 217, notLicensed: 448 },
    ANTIVIRUS: { licensed: 217, notLicensed: 448 },
  });
  expect(await operators('luonan-towns')).toBe(426);
  // 217 fully licensed and 217 licensed per category: the licensed machines are the same 217 in every category.
  const { machines } = await data<{ machines: { totalCount: number } }>(`{ machines(filter: { orgUnitCode: "luonan-towns" }) { totalCount } }`);
  expect(machines.totalCount).toBe(665);
});
