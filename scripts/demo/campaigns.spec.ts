import { countedForm, LUONAN_CAMPAIGN, NANXUN_CAMPAIGN, type DemoSelfReport } from './campaigns';
import { buildDemoPlan, TRACKED } from './plan';

describe('demo campaigns', () => {
  const plan = buildDemoPlan();
  const reports: DemoSelfReport[] = [...NANXUN_CAMPAIGN.firstReports, ...NANXUN_CAMPAIGN.corrections, ...LUONAN_CAMPAIGN.firstReports];

  it('files only forms the self-check form accepts, for units that have machines', () => {
    for (const report of reports) {
      const form = report.form === 'counted' ? countedForm(plan, report.unit) : report.form;
      expect([report.unit, form.desktops + form.laptops <= form.computers]).toEqual([report.unit, true]);
      for (const category of TRACKED) expect([report.unit, category, form.licensed[category] <= form.computers]).toEqual([report.unit, category, true]);
    }
  });

  it('has Nanxun report from every unit but one, and the literal forms differ from what the machines hold', () => {
    const nanxunUnits = new Set(plan.machines.filter((m) => m.unitCode.startsWith('nanxun-')).map((m) => m.unitCode));
    const reported = new Set(NANXUN_CAMPAIGN.firstReports.map((r) => r.unit));
    expect([...nanxunUnits].filter((u) => !reported.has(u))).toEqual([NANXUN_CAMPAIGN.notReporting]);
    for (const report of reports) {
      if (report.form !== 'counted') expect([report.unit, report.form]).not.toEqual([report.unit, countedForm(plan, report.unit)]);
    }
  });

  it('counts a unit as its agents would: 区财政局 has 56 machines, 44 with a licensed operating system', () => {
    expect(countedForm(plan, 'nanxun-finance')).toEqual({ computers: 56, desktops: 50, laptops: 6, operators: 56, licensed: { OPERATING_SYSTEM: 44, OFFICE: 24, ANTIVIRUS: 56 } });
  });
});
