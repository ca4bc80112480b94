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

/*
 * The demo's campaigns (scripts/demo/campaigns.ts): built through the campaign service by the users who would act,
 * read back here through the gateway. Every declared figure is pinned against the engine's measurement.
 */
type Seven = [computers: number, desktops: number, laptops: number, operators: number, os: number, office: number, antivirus: number];
interface Figure {
  figure: string;
  category: string | null;
  declared: number | null;
  measured: number;
  difference: number | null;
}
interface Discrepancy {
  orgUnit: { code: string };
  selfReportRevision: number | null;
  differs: boolean;
  figures: Figure[];
}
const FIGURE_NAMES: Array<[string, string | null]> = [
  ['COMPUTERS', null],
  ['DESKTOPS', null],
  ['LAPTOPS', null],
  ['OPERATORS', null],
  ['LICENSED', 'OPERATING_SYSTEM'],
  ['LICENSED', 'OFFICE'],
  ['LICENSED', 'ANTIVIRUS'],
];
/** A unit's seven figures as declared (null: no report) beside the measured ones. */
const compared = (code: string, revision: number | null, declared: Seven | null, measured: Seven): Discrepancy => {
  const figures = FIGURE_NAMES.map(([figure, category], i) => ({
    figure,
    category,
    declared: declared?.[i] ?? null,
    measured: measured[i],
    difference: declared ? declared[i] - measured[i] : null,
  }));
  return { orgUnit: { code }, selfReportRevision: revision, differs: figures.some((f) => (f.difference ?? 0) !== 0), figures };
};
/** A unit whose form matches what its machines hold. */
const exact = (code: string, revision: number, measured: Seven) => compared(code, revision, measured, measured);
const byCode = <T extends { orgUnit: { code: string } }>(rows: T[]) => [...rows].sort((a, b) => a.orgUnit.code.localeCompare(b.orgUnit.code));
const nodes = <T>(connection: { edges: Array<{ node: T }> }) => connection.edges.map((e) => e.node);
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** What the agents find per Nanxun unit (computers, desktops, laptops, operators, licensed OS / office / antivirus). */
const NANXUN_MEASURED: Record<string, Seven> = {
  'nanxun-gov-office': [62, 51, 11, 62, 45, 25, 62],
  'nanxun-culture-sports': [28, 25, 3, 28, 22, 11, 28],
  'nanxun-development-reform': [34, 30, 4, 34, 25, 18, 34],
  'nanxun-science-tech': [22, 21, 1, 22, 14, 12, 22],
  'nanxun-finance': [56, 50, 6, 56, 44, 24, 56],
  'nanxun-tourism': [18, 15, 3, 18, 9, 13, 18],
  'nanxun-public-security': [138, 122, 16, 138, 101, 78, 138],
  'nanxun-commerce': [47, 45, 2, 47, 30, 28, 47],
  'nanxun-info-center': [25, 21, 4, 25, 15, 14, 25],
  'nanxun-town': [58, 48, 10, 58, 44, 30, 58],
  'nanxun-shuanglin': [52, 43, 9, 52, 38, 34, 52],
  'nanxun-lianshi': [49, 39, 10, 49, 33, 32, 49],
  'nanxun-shanlian': [30, 27, 3, 30, 18, 15, 30],
  'nanxun-jiuguan': [27, 22, 5, 27, 20, 11, 27],
  'nanxun-linghu': [44, 35, 9, 44, 34, 24, 44],
  'nanxun-hefu': [31, 25, 6, 31, 19, 17, 31],
  'nanxun-qianjin': [23, 20, 3, 23, 17, 12, 23],
  'nanxun-shicong': [20, 18, 2, 20, 14, 10, 20],
  'nanxun-dev-zone': [26, 21, 5, 26, 18, 12, 26],
};
const NANXUN_TOTAL: Seven = [790, 678, 112, 790, 560, 420, 790];
/** The forms that differ: as filed (revision 1, and revision 2 where corrected). */
const NANXUN_DECLARED: Record<string, Seven> = {
  'nanxun-finance': [56, 50, 6, 56, 56, 24, 56],
  'nanxun-public-security': [138, 122, 16, 138, 138, 78, 138],
  'nanxun-town': [60, 50, 10, 55, 44, 30, 58],
  'nanxun-dev-zone': [26, 21, 5, 26, 26, 26, 26],
};
const NANXUN_FIRST_DECLARED: Record<string, Seven> = {
  ...NANXUN_DECLARED,
  'nanxun-public-security': [130, 122, 8, 130, 130, 130, 130],
  'nanxun-shuanglin': [52, 43, 9, 52, 38, 52, 52],
};
const CORRECTED = ['nanxun-public-security', 'nanxun-shuanglin'];

interface CampaignSummary {
  id: string;
  name: string;
  phase: string;
  reportingDepth: number;
  trackedCategories: string[];
  selfCheckDeadline: string;
  remediationDeadline: string;
  currentDeadline: string | null;
  rootUnit: { code: string } | null;
}

async function campaignOf(code: string): Promise<CampaignSummary> {
  const { campaigns } = await data<{ campaigns: { totalCount: number; edges: Array<{ node: CampaignSummary }> } }>(
    `query($code: String!) { campaigns(filter: { orgUnitCode: $code }) { totalCount edges { node {
       id name phase reportingDepth trackedCategories selfCheckDeadline remediationDeadline currentDeadline rootUnit { code } } } } }`,
    { code },
  );
  expect(campaigns.totalCount).toBe(1);
  return campaigns.edges[0].node;
}

const DISCREPANCY = `orgUnit { code } selfReportRevision differs figures { figure category declared measured difference }`;

it('Nanxun campaign: in remediation, 18 of 19 units reported, four forms still differ from the measurement', async () => {
  const campaign = await campaignOf('nanxun');
  expect(campaign).toEqual({
    id: expect.any(String),
    name: '南浔区政府机关使用正版软件工作',
    phase: 'REMEDIATION',
    reportingDepth: 1,
    trackedCategories: ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS'],
    selfCheckDeadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    remediationDeadline: addDays(campaign.selfCheckDeadline, 60),
    currentDeadline: addDays(campaign.selfCheckDeadline, 60),
    rootUnit: { code: 'nanxun' },
  });

  const { campaign: view } = await data<{
    campaign: {
      progress: { totalCount: number; edges: Array<{ node: { orgUnit: { code: string }; submitted: boolean; revision: number | null; late: boolean; spotChecks: number; completedSpotChecks: number } }> };
      onDeadline: { totalCount: number };
      dayAfter: { edges: Array<{ node: { orgUnit: { code: string }; submitted: boolean; overdue: boolean } }> };
      discrepancies: { totalCount: number; edges: Array<{ node: Discrepancy }> };
      all: { totalCount: number };
    };
  }>(
    `query($id: ID!, $deadline: Date!, $after: Date!) { campaign(id: $id) {
       progress(first: 50) { totalCount edges { node { orgUnit { code } submitted revision late spotChecks completedSpotChecks } } }
       onDeadline: overdueUnits(asOf: $deadline) { totalCount }
       dayAfter: overdueUnits(asOf: $after) { edges { node { orgUnit { code } submitted overdue } } }
       discrepancies(first: 50) { totalCount edges { node { ${DISCREPANCY} } } }
       all: discrepancies(first: 1, onlyReported: false) { totalCount } } }`,
    { id: campaign.id, deadline: campaign.selfCheckDeadline, after: addDays(campaign.selfCheckDeadline, 1) },
  );
  const units = Object.keys(NANXUN_MEASURED);
  expect(view.progress.totalCount).toBe(19);
  expect(byCode(nodes(view.progress))).toEqual(
    [...units].sort().map((code) => ({
      orgUnit: { code },
      submitted: code !== 'nanxun-shicong',
      revision: code === 'nanxun-shicong' ? null : CORRECTED.includes(code) ? 2 : 1,
      late: false,
      spotChecks: code === 'nanxun-public-security' ? 1 : 0,
      completedSpotChecks: code === 'nanxun-public-security' ? 1 : 0,
    })),
  );
  // 石淙镇 never reported: not yet overdue on the deadline itself, overdue from the next day on.
  expect(view.onDeadline.totalCount).toBe(0);
  expect(nodes(view.dayAfter)).toEqual([{ orgUnit: { code: 'nanxun-shicong' }, submitted: false, overdue: true }]);

  // Every unit of the subtree can be compared (the district itself and its 19 units); 18 have a form.
  expect(view.all.totalCount).toBe(20);
  expect(view.discrepancies.totalCount).toBe(18);
  expect(byCode(nodes(view.discrepancies))).toEqual(
    units
      .filter((code) => code !== 'nanxun-shicong')
      .sort()
      .map((code) => {
        const revision = CORRECTED.includes(code) ? 2 : 1;
        const declared = NANXUN_DECLARED[code];
        return declared ? compared(code, revision, declared, NANXUN_MEASURED[code]) : exact(code, revision, NANXUN_MEASURED[code]);
      }),
  );
  const differing = nodes(view.discrepancies).filter((d) => d.differs).map((d) => d.orgUnit.code).sort();
  expect(differing).toEqual(['nanxun-dev-zone', 'nanxun-finance', 'nanxun-public-security', 'nanxun-town']);
  // 区财政局 declares every operating system licensed; the inventories show 44 of 56.
  const finance = nodes(view.discrepancies).find((d) => d.orgUnit.code === 'nanxun-finance');
  expect(finance?.figures[4]).toEqual({ figure: 'LICENSED', category: 'OPERATING_SYSTEM', declared: 56, measured: 44, difference: 12 });

  const { campaign: history } = await data<{ campaign: { selfReports: { edges: Array<{ node: { revision: number; current: boolean; computers: number; licensed: Array<{ category: string; count: number }> } }> } } }>(
    `query($id: ID!) { campaign(id: $id) { selfReports(orgUnitCode: "nanxun-public-security", includeHistory: true) { edges { node { revision current computers licensed { category count } } } } } }`,
    { id: campaign.id },
  );
  const licensed = (os: number, office: number, antivirus: number) => [
    { category: 'OPERATING_SYSTEM', count: os },
    { category: 'OFFICE', count: office },
    { category: 'ANTIVIRUS', count: antivirus },
  ];
  expect(nodes(history.selfReports)).toEqual([
    { revision: 2, current: true, computers: 138, licensed: licensed(138, 78, 138) },
    { revision: 1, current: false, computers: 130, licensed: licensed(130, 130, 130) },
  ]);
});

it('Nanxun campaign: two published rounds keep the figures of their day', async () => {
  const campaign = await campaignOf('nanxun');
  const { campaign: view } = await data<{ campaign: { rounds: { edges: Array<{ node: { id: string; number: number; label: string; phase: string } }> } } }>(
    `query($id: ID!) { campaign(id: $id) { rounds { edges { node { id number label phase } } } } }`,
    { id: campaign.id },
  );
  expect(nodes(view.rounds).map(({ number, label, phase }) => ({ number, label, phase }))).toEqual([
    { number: 2, label: '复查后自查结果', phase: 'SELF_CHECK' },
    { number: 1, label: '首次自查汇总', phase: 'SELF_CHECK' },
  ]);
  const [second, first] = nodes(view.rounds);
  const figuresOf = async (number: number) => {
    const { campaign: c } = await data<{ campaign: { rounds: { edges: Array<{ node: { number: number; figures: { totalCount: number; edges: Array<{ node: Discrepancy }> } } }> } } }>(
      `query($id: ID!) { campaign(id: $id) { rounds { edges { node { number figures(first: 50) { totalCount edges { node { ${DISCREPANCY} } } } } } } } }`,
      { id: campaign.id },
    );
    const round = nodes(c.rounds).find((r) => r.number === number);
    return round ? { totalCount: round.figures.totalCount, units: byCode(nodes(round.figures)) } : null;
  };
  const expected = (declared: Record<string, Seven>, revision: (code: string) => number) => ({
    totalCount: 20,
    units: byCode([
      compared('nanxun', null, null, NANXUN_TOTAL),
      ...Object.entries(NANXUN_MEASURED).map(([code, measured]) =>
        code === 'nanxun-shicong' ? compared(code, null, null, measured) : compared(code, revision(code), declared[code] ?? measured, measured),
      ),
    ]),
  });
  expect(first.number).toBe(1);
  expect(await figuresOf(1)).toEqual(expected(NANXUN_FIRST_DECLARED, () => 1));
  expect(second.number).toBe(2);
  expect(await figuresOf(2)).toEqual(expected(NANXUN_DECLARED, (code) => (CORRECTED.includes(code) ? 2 : 1)));
});

it("Nanxun campaign: the police bureau's spot check, ten machines inspected, one finding against the engine", async () => {
  const campaign = await campaignOf('nanxun');
  const { campaign: view } = await data<{
    campaign: {
      spotChecks: {
        edges: Array<{
          node: {
            orgUnit: { code: string };
            seed: string;
            requestedSize: number;
            sampleSize: number;
            machines: Array<{ position: number; machine: { orgUnit: { code: string } }; findings: Array<{ category: string; finding: string; note: string | null; engineStatus: string | null; matchesEngine: boolean | null }> }>;
            discrepancies: Array<{ category: string; inspected: number; foundLicensed: number; foundUnlicensed: number; foundMissing: number; engineLicensed: number; licensedDifference: number; mismatches: number }>;
          };
        }>;
      };
    };
  }>(
    `query($id: ID!) { campaign(id: $id) { spotChecks { edges { node {
       orgUnit { code } seed requestedSize sampleSize
       machines { position machine { orgUnit { code } } findings { category finding note engineStatus matchesEngine } }
       discrepancies { category inspected foundLicensed foundUnlicensed foundMissing engineLicensed licensedDifference mismatches } } } } } }`,
    { id: campaign.id },
  );
  const [check] = nodes(view.spotChecks);
  expect(nodes(view.spotChecks)).toHaveLength(1);
  expect(check).toMatchObject({ orgUnit: { code: 'nanxun-public-security' }, seed: 'NXZBB-2011-CHOUCHA-01', requestedSize: 10, sampleSize: 10 });
  expect(check.machines.map((m) => [m.position, m.machine.orgUnit.code, m.findings.map((f) => f.category)])).toEqual(
    Array.from({ length: 10 }, (_, i) => [i + 1, 'nanxun-public-security', ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS']]),
  );
  // The inspectors find what the engine computes, except the first machine's antivirus, uninstalled since its inventory.
  const disagreeing = check.machines.flatMap((m) => m.findings.filter((f) => f.matchesEngine !== true).map((f) => ({ position: m.position, ...f })));
  expect(disagreeing).toEqual([
    { position: 1, category: 'ANTIVIRUS', finding: 'FOUND_MISSING', note: '现场检查时杀毒软件已被卸载（盘点后），已责令重装', engineStatus: 'LICENSED', matchesEngine: false },
  ]);
  const found = (category: string, finding: string) => check.machines.filter((m) => m.findings.some((f) => f.category === category && f.finding === finding)).length;
  expect(check.discrepancies).toEqual(
    ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS'].map((category) => ({
      category,
      inspected: 10,
      foundLicensed: found(category, 'FOUND_LICENSED'),
      foundUnlicensed: found(category, 'FOUND_UNLICENSED'),
      foundMissing: category === 'ANTIVIRUS' ? 1 : 0,
      engineLicensed: category === 'ANTIVIRUS' ? 10 : found(category, 'FOUND_LICENSED'),
      licensedDifference: category === 'ANTIVIRUS' ? -1 : 0,
      mismatches: category === 'ANTIVIRUS' ? 1 : 0,
    })),
  );
  expect(found('ANTIVIRUS', 'FOUND_LICENSED')).toBe(9);
});

it('Luonan campaign: in self-check, 5 of its 20 agencies reported, three forms differ from the measurement', async () => {
  const nanxun = await campaignOf('nanxun');
  const campaign = await campaignOf('luonan');
  expect(campaign).toEqual({
    id: expect.any(String),
    name: '洛南县政府机关使用正版软件工作',
    phase: 'SELF_CHECK',
    reportingDepth: 2,
    trackedCategories: ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS'],
    // Both campaigns' deadlines count from the day the demo was loaded.
    selfCheckDeadline: addDays(nanxun.selfCheckDeadline, 14),
    remediationDeadline: addDays(nanxun.selfCheckDeadline, 150),
    currentDeadline: addDays(nanxun.selfCheckDeadline, 14),
    rootUnit: { code: 'luonan' },
  });
  const { campaign: view } = await data<{
    campaign: {
      progress: { totalCount: number; edges: Array<{ node: { orgUnit: { code: string }; submitted: boolean } }> };
      overdueUnits: { totalCount: number };
      discrepancies: { totalCount: number; edges: Array<{ node: Discrepancy }> };
    };
  }>(
    `query($id: ID!, $deadline: Date!) { campaign(id: $id) {
       progress(first: 50) { totalCount edges { node { orgUnit { code } submitted } } }
       overdueUnits(asOf: $deadline) { totalCount }
       discrepancies(first: 50) { totalCount edges { node { ${DISCREPANCY} } } } } }`,
    { id: campaign.id, deadline: campaign.selfCheckDeadline },
  );
  expect(view.progress.totalCount).toBe(20);
  expect(nodes(view.progress).filter((p) => p.submitted).map((p) => p.orgUnit.code).sort()).toEqual(
    ['luonan-chengguan', 'luonan-education', 'luonan-egov-center', 'luonan-finance', 'luonan-public-security'],
  );
  expect(view.overdueUnits.totalCount).toBe(0);
  expect(view.discrepancies.totalCount).toBe(5);
  expect(byCode(nodes(view.discrepancies))).toEqual(
    byCode([
      // 县公安局 declares every operating system licensed: the inventories show 214 of 312.
      compared('luonan-public-security', 1, [312, 258, 54, 310, 312, 240, 260], [312, 258, 54, 310, 214, 240, 260]),
      exact('luonan-finance', 1, [104, 90, 14, 104, 77, 74, 83]),
      compared('luonan-education', 1, [250, 220, 30, 250, 204, 220, 250], [257, 226, 31, 257, 204, 198, 202]),
      exact('luonan-egov-center', 1, [41, 37, 4, 40, 26, 31, 30]),
      compared('luonan-chengguan', 1, [112, 102, 10, 91, 31, 31, 64], [112, 102, 10, 91, 31, 31, 31]),
    ]),
  );
});
