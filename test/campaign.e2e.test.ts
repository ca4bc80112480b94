import { uniqueCode } from '@genuine/kit/src/testing';
import { gql, startTestStack, type RunningStack } from './support/stack';

/** A campaign's main flow through the gateway: create, self-report, discrepancies, phases, spot check, round. */
let stack: RunningStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const data = <T>(res: { body: { data?: T | null; errors?: unknown } }): T => {
  expect(res.body.errors).toBeUndefined();
  return res.body.data as T;
};

it('runs a campaign: self-report against measurement, phases, a reproducible spot check and a frozen round', async () => {
  const url = stack.graphqlUrl;
  const root = uniqueCode('district');
  const dept = uniqueCode('dept');
  const idle = uniqueCode('idle');
  data(await gql(url, `mutation { createOrgUnit(input: { code: "${root}", name: "南浔区", kind: DISTRICT }) { id } }`));
  data(await gql(url, `mutation { createOrgUnit(input: { code: "${dept}", name: "财政局", kind: DEPARTMENT, parentCode: "${root}" }) { id } }`));
  data(await gql(url, `mutation { createOrgUnit(input: { code: "${idle}", name: "文化体育局", kind: DEPARTMENT, parentCode: "${root}" }) { id } }`));
  for (const [host, kind, operator] of [['fin-01', 'DESKTOP', '王芳'], ['fin-02', 'DESKTOP', '王芳'], ['fin-nb', 'LAPTOP', '刘洋']]) {
    data(await gql(url, `mutation { registerMachine(input: { orgUnitCode: "${dept}", hostname: "${dept}-${host}", kind: ${kind}, operator: "${operator}" }) { id } }`));
  }

  const created = data<{ createCampaign: { id: string } & Record<string, unknown> }>(
    await gql(
      url,
      `mutation { createCampaign(input: { name: "2026 正版化", rootUnitCode: "${root}", selfCheckDeadline: "2099-03-31", remediationDeadline: "2099-07-31", acceptanceDeadline: "2099-08-31" }) {
        id name phase trackedCategories currentDeadline rootUnit { code name } } }`,
    ),
  ).createCampaign;
  expect(created).toEqual({
    id: created.id,
    name: '2026 正版化',
    phase: 'SELF_CHECK',
    trackedCategories: ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS'],
    currentDeadline: '2099-03-31',
    rootUnit: { code: root, name: '南浔区' },
  });
  const campaignId = created.id;

  const submit = (computers: number) =>
    gql(
      url,
      `mutation($c: ID!, $n: Int!) { submitSelfReport(input: { campaignId: $c, orgUnitCode: "${dept}", computers: $n, desktops: 3, laptops: 1, operators: 3,
        licensed: [{ category: OPERATING_SYSTEM, count: 2 }, { category: OFFICE, count: 1 }, { category: ANTIVIRUS, count: 0 }] }) { revision current computers licensed { category count } } }`,
      { c: campaignId, n: computers },
    );
  const negative = await submit(-1);
  expect(negative.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  const tooFew = await submit(3);
  expect(tooFew.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(data(await submit(4))).toEqual({
    submitSelfReport: { revision: 1, current: true, computers: 4, licensed: [{ category: 'OPERATING_SYSTEM', count: 2 }, { category: 'OFFICE', count: 1 }, { category: 'ANTIVIRUS', count: 0 }] },
  });

  const view = `query Campaign($id: ID!) { campaign(id: $id) {
      phase
      progress { totalCount edges { node { orgUnit { code } submitted revision overdue } } }
      discrepancies { edges { node { orgUnit { code } selfReportRevision differs figures { figure category declared measured difference } } } }
    } }`;
  const progress = (code: string, submitted: boolean) => ({ node: { orgUnit: { code }, submitted, revision: submitted ? 1 : null, overdue: false } });
  const expectedFigures = [
    { figure: 'COMPUTERS', category: null, declared: 4, measured: 3, difference: 1 },
    { figure: 'DESKTOPS', category: null, declared: 3, measured: 2, difference: 1 },
    { figure: 'LAPTOPS', category: null, declared: 1, measured: 1, difference: 0 },
    { figure: 'OPERATORS', category: null, declared: 3, measured: 2, difference: 1 },
    { figure: 'LICENSED', category: 'OPERATING_SYSTEM', declared: 2, measured: 0, difference: 2 },
    { figure: 'LICENSED', category: 'OFFICE', declared: 1, measured: 0, difference: 1 },
    { figure: 'LICENSED', category: 'ANTIVIRUS', declared: 0, measured: 0, difference: 0 },
  ];
  const before = data<{ campaign: { phase: string; progress: { totalCount: number; edges: Array<{ node: { orgUnit: { code: string } } }> } } }>(await gql(url, view, { id: campaignId }));
  const edges = before.campaign.progress.edges.map((e) => e.node.orgUnit.code);
  expect(edges.sort()).toEqual([dept, idle].sort());
  expect(before).toEqual({
    campaign: {
      phase: 'SELF_CHECK',
      progress: { totalCount: 2, edges: expect.arrayContaining([progress(dept, true), progress(idle, false)]) },
      discrepancies: { edges: [{ node: { orgUnit: { code: dept }, selfReportRevision: 1, differs: true, figures: expectedFigures } }] },
    },
  });

  const skip = await gql(url, `mutation($c: ID!) { advanceCampaignPhase(input: { campaignId: $c, to: ACCEPTANCE }) { phase } }`, { c: campaignId });
  expect(skip.body.errors?.[0].extensions?.code).toBe('CONFLICT');
  for (const to of ['REMEDIATION', 'ACCEPTANCE']) {
    expect(data(await gql(url, `mutation($c: ID!) { advanceCampaignPhase(input: { campaignId: $c, to: ${to} }) { phase } }`, { c: campaignId }))).toEqual({ advanceCampaignPhase: { phase: to } });
  }

  const draw = `mutation($c: ID!) { drawSpotCheck(input: { campaignId: $c, orgUnitCode: "${dept}", sampleSize: 2, seed: "acceptance-2026" }) {
      id seed sampleSize machines { position machine { id hostname } } } }`;
  const spot = data<{ drawSpotCheck: { id: string; seed: string; sampleSize: number; machines: Array<{ position: number; machine: { id: string; hostname: string } }> } }>(
    await gql(url, draw, { c: campaignId }),
  ).drawSpotCheck;
  expect(spot.sampleSize).toBe(2);
  expect(spot.machines.map((m) => m.position)).toEqual([1, 2]);
  const again = data<{ drawSpotCheck: { machines: Array<{ machine: { id: string } }> } }>(await gql(url, draw, { c: campaignId })).drawSpotCheck;
  expect(again.machines.map((m) => m.machine.id)).toEqual(spot.machines.map((m) => m.machine.id));

  const finding = data<{ recordSpotCheckFinding: unknown }>(
    await gql(
      url,
      `mutation($s: ID!, $m: ID!) { recordSpotCheckFinding(input: { spotCheckId: $s, machineId: $m, category: OPERATING_SYSTEM, finding: FOUND_LICENSED, note: "COA on the case" }) {
        machines { findings { category finding note } } discrepancies { category inspected foundLicensed } } }`,
      { s: spot.id, m: spot.machines[0].machine.id },
    ),
  ).recordSpotCheckFinding;
  expect(finding).toEqual({
    machines: [{ findings: [{ category: 'OPERATING_SYSTEM', finding: 'FOUND_LICENSED', note: 'COA on the case' }] }, { findings: [] }],
    discrepancies: [
      { category: 'OPERATING_SYSTEM', inspected: 1, foundLicensed: 1 },
      { category: 'OFFICE', inspected: 0, foundLicensed: 0 },
      { category: 'ANTIVIRUS', inspected: 0, foundLicensed: 0 },
    ],
  });

  const round = data<{ publishRound: { number: number; phase: string; label: string } }>(
    await gql(url, `mutation($c: ID!) { publishRound(input: { campaignId: $c, label: "acceptance" }) { number phase label } }`, { c: campaignId }),
  );
  expect(round).toEqual({ publishRound: { number: 1, phase: 'ACCEPTANCE', label: 'acceptance' } });
  data(await gql(url, `mutation { registerMachine(input: { orgUnitCode: "${dept}", hostname: "${dept}-fin-03", kind: DESKTOP }) { id } }`));

  const rounds = data<{ campaign: { rounds: { edges: Array<{ node: { number: number; figures: { edges: Array<{ node: { orgUnit: { code: string }; figures: Array<{ figure: string; measured: number }> } }> } } }> } } }>(
    await gql(url, `query($id: ID!) { campaign(id: $id) { rounds { edges { node { number figures(first: 10) { edges { node { orgUnit { code } figures { figure measured } } } } } } } } }`, { id: campaignId }),
  );
  const [published] = rounds.campaign.rounds.edges;
  const deptFigures = published.node.figures.edges.find((e) => e.node.orgUnit.code === dept);
  // Frozen: the desktop registered after publishing is not in the round.
  expect(deptFigures?.node.figures[0]).toEqual({ figure: 'COMPUTERS', measured: 3 });
  expect(published.node.figures.edges).toHaveLength(3);

  const unknown = await gql(url, `{ campaign(id: "00000000-0000-4000-8000-000000000000") { id } }`);
  expect(unknown.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
});
