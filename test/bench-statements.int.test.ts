import { withClient } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { countAnswer, genuineDashboardQuery, type PageSizes } from '../bench/scenarios/dashboard-query';
import { readStats, statementCounterNodeOptions, statsUrlFrom, type StatementStats } from '../bench/support/stats-client';
import { gql, startTestStack, type RunningStack } from './support/stack';
import { testDatabaseUrl } from './support/test-database';

/*
 * The bench's dashboard question (issue 7) must cost the same number of SQL statements whatever its page sizes:
 * batching by construction (STYLE 7), checked from outside the process. The stack runs as `npm start` does, in a
 * child process, with the bench's statement-counter preload (NODE_OPTIONS), which counts every
 * `pg.Client#query` of the process — every copy of the driver, every service — and serves the count on
 * 127.0.0.1. Counts are exact: requests run one at a time, after a warm-up, so nothing else runs in the window,
 * and statements a pool sends when it opens a connection are counted apart.
 */

const UNITS = 60;
const MACHINES_PER_UNIT = 25;
const SIZES: PageSizes[] = [
  { units: 5, machines: 5 },
  { units: 20, machines: 20 },
  { units: 50, machines: 20 },
];

let stack: RunningStack;
let statsUrl: string;
let root: string;

/** A root with UNITS children of MACHINES_PER_UNIT machines each, written in one statement. */
async function createTree(code: string): Promise<void> {
  await withClient(testDatabaseUrl(), (c) =>
    c.query(
      `with root as (
         insert into registry.org_unit (id, code, name, kind) values (gen_random_uuid(), $1, 'Statements root', 'PROVINCE') returning id
       ), units as (
         insert into registry.org_unit (id, code, name, kind, parent_id)
         select gen_random_uuid(), $1 || '-' || lpad(g::text, 3, '0'), 'Unit ' || g, 'DEPARTMENT', root.id
           from root, generate_series(1, $2::int) g
         returning id, parent_id
       ), closure as (
         insert into registry.org_unit_closure (ancestor_id, descendant_id, depth)
         select id, id, 0 from root union all select id, id, 0 from units union all select parent_id, id, 1 from units
       )
       insert into registry.machine (id, org_unit_id, hostname, kind)
       select gen_random_uuid(), units.id, 'pc-' || lpad(m::text, 3, '0'), 'DESKTOP' from units, generate_series(1, $3::int) m`,
      [code, UNITS, MACHINES_PER_UNIT],
    ),
  );
}

async function statementsOf(query: string): Promise<{ stats: StatementStats; answer: ReturnType<typeof countAnswer> }> {
  await gql(stack.graphqlUrl, query);
  await readStats(statsUrl, { reset: true });
  const response = await gql(stack.graphqlUrl, query);
  const stats = await readStats(statsUrl, { reset: true });
  return { stats, answer: countAnswer(response.body) };
}

beforeAll(async () => {
  // Background work (the compliance worker's polls) would land in the counting window; this stack only serves.
  stack = await startTestStack({ NODE_OPTIONS: statementCounterNodeOptions(), GENUINE_RATE_LIMIT: '0', GENUINE_BACKGROUND_WORKERS: '0' });
  const deadline = Date.now() + 10_000;
  let url = statsUrlFrom(stack.output());
  while (!url && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    url = statsUrlFrom(stack.output());
  }
  if (!url) throw new Error(`the statement counter did not start:\n${stack.output()}`);
  statsUrl = url;
  root = uniqueCode('stmt');
  await createTree(root);
}, 90_000);

afterAll(() => stack?.stop());

describe('SQL statements of the dashboard question through the gateway', () => {
  it('are the same few statements whatever the page sizes', async () => {
    const measured: Array<{ sizes: PageSizes; statements: number; texts: string[] }> = [];
    for (const sizes of SIZES) {
      const { stats, answer } = await statementsOf(genuineDashboardQuery(root, sizes));
      const units = Math.min(sizes.units, UNITS);
      expect(answer).toEqual({ units, machines: units * Math.min(sizes.machines, MACHINES_PER_UNIT), errors: [] });
      measured.push({ sizes, statements: stats.statements, texts: stats.texts });
    }
    // The unit by code, the page of descendants, every unit's first machines. The machines' units are the page's
    // units, already loaded; the descendants' count is not asked.
    const expected = 3;
    expect({ counts: measured.map((m) => m.statements), texts: measured[measured.length - 1].texts }).toEqual({
      counts: SIZES.map(() => expected),
      texts: expect.any(Array),
    });
  });

});
