import { catalogueMatcherRules, loadDefaultCatalogue, TitleMatcher } from '@genuine/audit/src/normalization/title-matcher';
import { buildDemoPlan, demoOrgOf, intendedFigures } from './plan';
import { antivirusTitles, ignoredTitles, officeTitles, osTitles, unrecognizedTitles } from './titles';

const catalogue = loadDefaultCatalogue();
const matcher = new TitleMatcher(catalogueMatcherRules(catalogue));
const label = (name: string, version: string | null, publisher: string | null) => {
  const match = matcher.match({ name, version, publisher });
  return match === null ? 'UNKNOWN' : match.ignored ? 'IGNORE' : match.editionId;
};

describe('demo plan', () => {
  const plan = buildDemoPlan();

  it('is designed to give exactly the seed reports’ figures (DESIGN → Demo data)', () => {
    const figures = intendedFigures(plan, demoOrgOf());
    expect(figures.get('nanxun')).toMatchObject({
      machines: 790,
      desktops: 678,
      laptops: 112,
      categories: { OFFICE: { LICENSED: 420, UNLICENSED: 370, MISSING: 0 }, ANTIVIRUS: { LICENSED: 790, UNLICENSED: 0, MISSING: 0 } },
    });
    const county = figures.get('luonan-county');
    expect(county).toMatchObject({ machines: 1318, operators: 1300 });
    expect(county?.categories.OPERATING_SYSTEM.LICENSED).toBe(950);
    expect(county?.categories.OFFICE.LICENSED).toBe(1006);
    expect(county?.categories.ANTIVIRUS.LICENSED).toBe(1064);
    expect(figures.get('luonan-towns')).toMatchObject({ machines: 665, operators: 426, fullyLicensed: 217 });
    const towns = plan.machines.filter((m) => demoOrgOf().get(m.unitCode) === 'luonan-towns');
    expect(towns.filter((m) => Object.values(m.intended).every((s) => s !== 'LICENSED'))).toHaveLength(448);
  });

  it('is the same on every build, and differs with another seed', () => {
    expect(JSON.stringify(buildDemoPlan())).toBe(JSON.stringify(plan));
    expect(JSON.stringify(buildDemoPlan(7))).not.toBe(JSON.stringify(plan));
  });

  it('buys enough seats for every assignment, and names each machine once', () => {
    const quantity = new Map(plan.purchases.map((p) => [p.key, p.quantity]));
    const used = new Map<string, number>();
    for (const s of plan.deviceSeats) used.set(s.purchase, (used.get(s.purchase) ?? 0) + s.count);
    for (const s of plan.userSeats) used.set(s.purchase, (used.get(s.purchase) ?? 0) + 1);
    for (const [key, n] of used) expect(quantity.get(key)).toBeGreaterThanOrEqual(n);
    expect(new Set(plan.machines.map((m) => m.uuid)).size).toBe(plan.machines.length);
    expect(new Set(plan.machines.map((m) => m.serialNumber)).size).toBe(plan.machines.length);
    expect(new Set(plan.machines.map((m) => `${m.unitCode}/${m.hostname}`)).size).toBe(plan.machines.length);
  });

  it('uses raw titles that the shipped rules recognize as designed', () => {
    const editions = (list: ReadonlyArray<{ name: string; version: string | null; publisher: string | null }>) => [...new Set(list.map((t) => label(t.name, t.version, t.publisher)))];
    const os = (list: ReadonlyArray<{ name: string; version: string }>) => [...new Set(list.map((t) => label(t.name, t.version, 'Microsoft Corporation')))];
    expect(os(osTitles.win10Pro)).toEqual(['ms-windows-10-pro']);
    expect(os(osTitles.win7Pro)).toEqual(['ms-windows-7-pro']);
    expect(os(osTitles.uncovered).sort()).toEqual(['ms-windows-10-enterprise', 'ms-windows-7-ultimate']);
    expect(os(osTitles.unrecognized)).toEqual(['UNKNOWN']);
    expect(editions(officeTitles.office2016ProPlus)).toEqual(['ms-office-2016-pro-plus']);
    expect(editions(officeTitles.office2010ProPlus)).toEqual(['ms-office-2010-pro-plus']);
    expect(editions(officeTitles.pirated).sort()).toEqual(['ms-office-2007-pro-plus', 'ms-office-2010-pro-plus', 'ms-office-2016-home-student', 'ms-office-2016-pro-plus']);
    expect(editions(officeTitles.m365)).toEqual(['ms-365-apps-enterprise']);
    expect(editions(officeTitles.wpsProfessional)).toEqual(['wps-office-professional']);
    expect(editions(officeTitles.free).sort()).toEqual(['libreoffice', 'wps-office-personal']);
    expect(editions([...officeTitles.companions, ...ignoredTitles])).toEqual(['IGNORE']);
    expect(editions(unrecognizedTitles)).toEqual(['UNKNOWN']);
    expect(editions(antivirusTitles.risingNetwork)).toEqual(['rising-esm']);
    expect(editions(antivirusTitles.qihooEndpoint)).toEqual(['qihoo-360-endpoint-security']);
    expect(editions(antivirusTitles.huorongEndpoint)).toEqual(['huorong-endpoint-security']);
    expect(editions(antivirusTitles.free).sort()).toEqual(['huorong-security', 'qihoo-360-antivirus', 'qihoo-360-safe', 'rising-antivirus']);
    expect(editions(antivirusTitles.unlicensed).sort()).toEqual(['eset-nod32-antivirus', 'kaspersky-anti-virus']);
    // Free editions are free, licensable ones licensable: that is what makes them count as licensed or not.
    const licensable = new Map(catalogue.products.map((p) => [p.key, p.licensable]));
    const productOf = new Map(catalogue.editions.map((e) => [e.key, e.product]));
    const free = ['wps-office-personal', 'libreoffice', 'huorong-security', 'qihoo-360-antivirus', 'qihoo-360-safe', 'rising-antivirus'];
    expect(free.map((e) => licensable.get(productOf.get(e) ?? ''))).toEqual(free.map(() => false));
  });
});
