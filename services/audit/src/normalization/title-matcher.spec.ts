import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  DEFAULT_CATALOGUE_PATH,
  IGNORE_LABEL,
  MAX_PATTERN_LENGTH,
  TitleMatcher,
  UNKNOWN_LABEL,
  catalogueMatcherRules,
  evaluateLabels,
  loadDefaultCatalogue,
  validatePattern,
} from './title-matcher';
import type { MatcherRule, RawTitle } from './title-matcher';

const LABELLED_TSV = join(__dirname, '../../../../test/fixtures/software-titles.labelled.tsv');

function rule(id: string, fields: Partial<Omit<MatcherRule, 'id'>>): MatcherRule {
  return {
    id,
    namePattern: null,
    publisherPattern: null,
    versionPattern: null,
    editionId: `edition-of-${id}`,
    ignore: false,
    priority: 100,
    ...fields,
  };
}

describe('TitleMatcher', () => {
  it('lets the highest-priority matching rule win', () => {
    const matcher = new TitleMatcher([
      rule('broad', { namePattern: '^Microsoft Office', priority: 100 }),
      rule('narrow', { namePattern: 'Professional Plus 2016', priority: 200 }),
      rule('higher-but-no-match', { namePattern: 'Visio', priority: 900 }),
    ]);
    expect(matcher.match({ name: 'Microsoft Office Professional Plus 2016' })?.ruleId).toBe('narrow');
    expect(matcher.match({ name: 'Microsoft Office Standard 2016' })?.ruleId).toBe('broad');
  });

  it('breaks priority ties by rule id in string order, whatever order the rules came in', () => {
    const rules = [rule('b-rule', { namePattern: 'Office' }), rule('a-rule', { namePattern: 'Office' }), rule('c-rule', { namePattern: 'Office' })];
    expect(new TitleMatcher(rules).match({ name: 'Office' })?.ruleId).toBe('a-rule');
    expect(new TitleMatcher([...rules].reverse()).match({ name: 'Office' })?.ruleId).toBe('a-rule');
    // Plain code-unit order, not locale order: upper case sorts before lower case.
    expect(new TitleMatcher([rule('a', { namePattern: 'x' }), rule('B', { namePattern: 'x' })]).match({ name: 'x' })?.ruleId).toBe('B');
  });

  it('answers null for a title no rule matches, and reports ignore rules as ignored without an edition', () => {
    const matcher = new TitleMatcher([rule('hotfix', { namePattern: 'KB\\d{6,7}', editionId: null, ignore: true })]);
    expect(matcher.match({ name: 'Google Chrome' })).toBeNull();
    expect(matcher.match({ name: 'Security Update for Windows XP (KB958644)' })).toEqual({ ruleId: 'hotfix', editionId: null, ignored: true });
    expect(new TitleMatcher([]).match({ name: 'anything' })).toBeNull();
  });

  it('matches case-insensitively, including non-ASCII letters', () => {
    const matcher = new TitleMatcher([
      rule('office', { namePattern: '^microsoft office professional plus 2016$' }),
      rule('french', { namePattern: 'famille et étudiant' }),
    ]);
    expect(matcher.match({ name: 'MICROSOFT OFFICE PROFESSIONAL PLUS 2016' })?.ruleId).toBe('office');
    expect(matcher.match({ name: 'Microsoft Office FAMILLE ET ÉTUDIANT 2010' })?.ruleId).toBe('french');
  });

  it('treats an omitted pattern as matching anything, including a missing field', () => {
    const matcher = new TitleMatcher([rule('by-publisher', { publisherPattern: '^Fedora Project$' })]);
    expect(matcher.match({ name: 'gettext', version: '0.20.1-3.fc31', publisher: 'Fedora Project' })?.ruleId).toBe('by-publisher');
    expect(matcher.match({ name: 'anything at all', publisher: 'fedora project' })?.ruleId).toBe('by-publisher');
    expect(matcher.match({ name: 'gettext', publisher: 'GNU' })).toBeNull();
  });

  it('requires the version and publisher patterns to match too, reading a missing field as empty', () => {
    const matcher = new TitleMatcher([
      rule('wps-pro-build', { namePattern: '^WPS Office', versionPattern: '^1[0-2]\\.8\\.', priority: 200 }),
      rule('wps-any', { namePattern: '^WPS Office', priority: 100 }),
      rule('unversioned', { namePattern: '^Kylin$', versionPattern: '^$' }),
      rule('by-vendor', { namePattern: '^Acrobat$', publisherPattern: 'Adobe' }),
    ]);
    expect(matcher.match({ name: 'WPS Office', version: '11.8.2.12085' })?.ruleId).toBe('wps-pro-build');
    expect(matcher.match({ name: 'WPS Office', version: '11.1.0.11045' })?.ruleId).toBe('wps-any');
    expect(matcher.match({ name: 'WPS Office', version: null })?.ruleId).toBe('wps-any');
    expect(matcher.match({ name: 'WPS Office' })?.ruleId).toBe('wps-any');
    expect(matcher.match({ name: 'Kylin' })?.ruleId).toBe('unversioned');
    expect(matcher.match({ name: 'Kylin', version: 'V10' })).toBeNull();
    expect(matcher.match({ name: 'Acrobat', publisher: 'Adobe Systems Incorporated' })?.ruleId).toBe('by-vendor');
    expect(matcher.match({ name: 'Acrobat', publisher: null })).toBeNull();
  });

  it('normalises whitespace in name, version and publisher before matching', () => {
    const matcher = new TitleMatcher([
      rule('exact', { namePattern: '^Microsoft Office Professional Plus 2016$', versionPattern: '^16\\.0$', publisherPattern: '^Microsoft Corporation$' }),
    ]);
    const messy: RawTitle = { name: '  Microsoft   Office\tProfessional\u3000Plus 2016 \n', version: ' 16.0 ', publisher: 'Microsoft  Corporation ' };
    expect(matcher.match(messy)?.ruleId).toBe('exact');
  });

  it('refuses to be built from a rule whose pattern is invalid', () => {
    expect(() => new TitleMatcher([rule('broken', { namePattern: 'Office (2016' })])).toThrow(/rule broken: namePattern pattern does not compile/);
    expect(() => new TitleMatcher([rule('long', { versionPattern: 'a'.repeat(MAX_PATTERN_LENGTH + 1) })])).toThrow(/rule long: versionPattern/);
  });
});

describe('validatePattern', () => {
  it.each([
    '^Microsoft Office (Professional|Standard) Plus 2016',
    '\\(KB\\d{5,8}',
    '^Kylin( Linux)?\\s*V10([^0-9]|$)',
    '[^a-z]Drivers?',
    '^WPS Office.*(专业版|Professional)',
    '^Microsoft Windows 10 (?!IoT)',
    '^360\\s*安全卫士$',
    'a{1,255}',
  ])('accepts %s', (pattern) => {
    expect(validatePattern(pattern)).toBeNull();
  });

  it('is also reachable as TitleMatcher.validatePattern', () => {
    expect(TitleMatcher.validatePattern('^Office')).toBeNull();
    expect(TitleMatcher.validatePattern('(')).toMatch(/does not compile/);
  });

  it('accepts a pattern of exactly the maximum length and rejects a longer one', () => {
    expect(validatePattern('a'.repeat(MAX_PATTERN_LENGTH))).toBeNull();
    expect(validatePattern('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/501 characters long; at most 500/);
  });

  it.each([
    ['', /empty/],
    ['Office (2016', /does not compile/],
    ['[z-a]', /does not compile/],
    ['*Office', /does not compile/],
    ['\\y', /does not compile/],
    ['\\bOffice\\b', /word boundary in JavaScript but a backspace in PostgreSQL/],
    ['Office\\w+', /ASCII-only in JavaScript/],
    ['(?<=Microsoft )Office', /lookbehind and named groups/],
    ['(?<year>\\d{4})', /lookbehind and named groups/],
    ['\\p{Script=Han}+', /Unicode properties/],
    ['[[:alpha:]]+', /does not compile/], // a POSIX class in PostgreSQL, a stray bracket in JavaScript
    ['[\\S]', /inside brackets/],
    ['a{1,300}', /repetition bounds above 255/],
  ])('rejects %j', (pattern, message) => {
    expect(validatePattern(pattern)).toMatch(message);
  });
});

describe('evaluateLabels', () => {
  const matcher = new TitleMatcher([
    rule('office', { namePattern: '^Office Pro', editionId: 'id-office-pro' }),
    rule('office-std', { namePattern: '^Office Std', editionId: 'id-office-std' }),
    rule('hotfix', { namePattern: 'KB\\d+', editionId: null, ignore: true }),
  ]);
  const keys = new Map([['id-office-pro', 'office-pro'], ['id-office-std', 'office-std']]);

  it('counts exact editions as true positives, wrong editions on both sides, and IGNORE/UNKNOWN confusions on neither', () => {
    const result = evaluateLabels(matcher, [
      { title: { name: 'Office Pro' }, expected: 'office-pro' }, // TP
      { title: { name: 'Office Std' }, expected: 'office-pro' }, // wrong edition: FP and FN
      { title: { name: 'Office Pro Trial' }, expected: UNKNOWN_LABEL }, // edition for an unknown title: FP
      { title: { name: 'Office Std KB123' }, expected: 'office-std' }, // ignored although an edition: FN
      { title: { name: 'Chrome' }, expected: 'office-std' }, // unrecognized although an edition: FN
      { title: { name: 'Chrome' }, expected: IGNORE_LABEL }, // UNKNOWN for IGNORE: neither
      { title: { name: 'KB123' }, expected: IGNORE_LABEL }, // right IGNORE: not a positive
    ], keys);
    expect(result).toMatchObject({ total: 7, truePositives: 1, falsePositives: 2, falseNegatives: 3, precision: 1 / 3, recall: 1 / 4 });
    expect(result.mismatches.map((m) => [m.title.name, m.expected, m.actual, m.ruleId])).toEqual([
      ['Office Std', 'office-pro', 'office-std', 'office-std'],
      ['Office Pro Trial', UNKNOWN_LABEL, 'office-pro', 'office'],
      ['Office Std KB123', 'office-std', IGNORE_LABEL, 'hotfix'],
      ['Chrome', 'office-std', UNKNOWN_LABEL, null],
      ['Chrome', IGNORE_LABEL, UNKNOWN_LABEL, null],
    ]);
  });

  it('scores 1 when there is nothing to be wrong about', () => {
    expect(evaluateLabels(matcher, [], keys)).toMatchObject({ total: 0, precision: 1, recall: 1, mismatches: [] });
  });
});

describe('loadDefaultCatalogue', () => {
  const catalogue = loadDefaultCatalogue();
  const editionsByKey = new Map(catalogue.editions.map((edition) => [edition.key, edition]));

  it('loads and validates the shipped file', () => {
    expect(catalogue.products).toHaveLength(51);
    expect(catalogue.editions).toHaveLength(153);
    expect(catalogue.rules).toHaveLength(192);
  });

  it('reaches every edition through at least one rule', () => {
    const reached = new Set(catalogue.rules.map((r) => r.edition));
    expect(catalogue.editions.filter((edition) => !reached.has(edition.key)).map((edition) => edition.key)).toEqual([]);
  });

  it('prices licensable editions in CNY and leaves free products unpriced', () => {
    const productsByKey = new Map(catalogue.products.map((product) => [product.key, product]));
    const wronglyPriced = catalogue.editions.filter((edition) => {
      const licensable = productsByKey.get(edition.product)?.licensable === true;
      return licensable ? edition.listPrice?.currency !== 'CNY' : edition.listPrice !== null;
    });
    expect(wronglyPriced.map((edition) => edition.key)).toEqual([]);
    expect(editionsByKey.get('ms-windows-10-pro')?.listPrice).toEqual({ amount: '1399.00', currency: 'CNY' });
    expect(editionsByKey.get('ms-office-2016-pro-plus')?.listPrice).toEqual({ amount: '2899.00', currency: 'CNY' });
  });

  it('carries downgrade rights', () => {
    expect(editionsByKey.get('ms-windows-10-pro')?.covers).toEqual(expect.arrayContaining(['ms-windows-7-pro', 'ms-windows-8-1-pro']));
    expect(editionsByKey.get('ms-office-2016-pro-plus')?.covers).toEqual(expect.arrayContaining([
      'ms-office-2010-pro-plus', 'ms-office-2013-pro-plus', 'ms-office-2010-standard', 'ms-office-2013-standard',
    ]));
    expect(editionsByKey.get('ms-windows-server-2022-datacenter')?.covers).toContain('ms-windows-server-2016-standard');
    expect(editionsByKey.get('ms-office-2016-home-student')?.covers).toEqual([]);
  });

  it('reports every problem of a broken copy at once', () => {
    const broken = JSON.parse(readFileSync(DEFAULT_CATALOGUE_PATH, 'utf8')) as {
      products: Array<Record<string, unknown>>;
      editions: Array<Record<string, unknown>>;
      rules: Array<Record<string, unknown>>;
    };
    broken.products.push({ key: 'Bad Key', publisher: 'x', name: 'x', category: 'GAMES', licensable: true });
    broken.editions.push({ ...broken.editions[0], key: 'orphan-edition', product: 'no-such-product', covers: ['no-such-edition'] });
    broken.editions.push({ ...editionsByKey.get('libreoffice'), key: 'priced-freeware', listPrice: { amount: '10.00', currency: 'CNY' } });
    broken.rules.push({ ...broken.rules[0], key: 'dangling-rule', edition: 'no-such-edition' });
    broken.rules.push({ ...broken.rules[0], key: 'invalid-pattern', namePattern: 'Office (2016' });
    broken.rules.push({ ...broken.rules[0], key: 'long-pattern', publisherPattern: 'x'.repeat(MAX_PATTERN_LENGTH + 1) });
    broken.rules.push({ ...broken.rules[0], key: 'both-edition-and-ignore', ignore: true });
    broken.rules.push({ ...broken.rules[1] });
    const dir = mkdtempSync(join(tmpdir(), 'genuine-catalogue-'));
    try {
      const file = join(dir, 'broken.json');
      writeFileSync(file, JSON.stringify(broken));
      let message = '';
      try {
        loadDefaultCatalogue(file);
      } catch (error) {
        message = error instanceof Error ? error.message : String(error);
      }
      expect(message).toContain('(10 problems)');
      for (const expected of [
        'key "Bad Key" must be a kebab-case string',
        'category "GAMES" is not one of',
        'edition orphan-edition: product no-such-product does not exist',
        'edition orphan-edition: covers no-such-edition, which does not exist',
        'edition priced-freeware: product tdf-libreoffice is free, so the edition takes no list price',
        'rule dangling-rule: edition no-such-edition does not exist',
        'rule invalid-pattern: namePattern pattern does not compile',
        `rule long-pattern: publisherPattern pattern is ${MAX_PATTERN_LENGTH + 1} characters long`,
        'rule both-edition-and-ignore: a rule names an edition or ignores, exactly one of the two',
        `rule key ${String(broken.rules[1].key)} is already used by a rule`,
      ]) {
        expect(message).toContain(expected);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a file it cannot read', () => {
    expect(() => loadDefaultCatalogue(join(tmpdir(), 'no-such-catalogue.json'))).toThrow(/cannot read the catalogue/);
  });
});

describe('the default rules', () => {
  const catalogue = loadDefaultCatalogue();
  const matcher = new TitleMatcher(catalogueMatcherRules(catalogue));
  const outcome = (title: RawTitle): string | null => {
    const recognition = matcher.match(title);
    if (recognition === null) return null;
    return recognition.ignored ? IGNORE_LABEL : recognition.editionId;
  };

  // [raw name, version, publisher, expected edition key | IGNORE | null (unrecognized)]
  const cases: Array<[string, string | null, string | null, string | null]> = [
    // office suites
    ['Microsoft Office Professional Plus 2016', null, 'Microsoft Corporation', 'ms-office-2016-pro-plus'],
    ['Microsoft Office 专业增强版 2016', '16.0.4266.1001', 'Microsoft Corporation', 'ms-office-2016-pro-plus'],
    ['Microsoft Office Professional Plus 2019 - zh-cn', '16.0.10827.20181', 'Microsoft Corporation', 'ms-office-2019-pro-plus'],
    ['Microsoft Office LTSC 专业增强版 2021 - zh-cn', null, 'Microsoft Corporation', 'ms-office-2021-pro-plus'],
    ['Microsoft Office Standard 2010', '14.0.7015.1000', 'Microsoft Corporation', 'ms-office-2010-standard'],
    ['Microsoft Office 标准版 2013', null, null, 'ms-office-2013-standard'],
    ['Microsoft Office Enterprise 2007', '12.0.6612.1000', 'Microsoft Corporation', 'ms-office-2007-enterprise'],
    ['Microsoft Office 家庭和学生版 2016', null, null, 'ms-office-2016-home-student'],
    ['Microsoft Office Home and Business 2019 - en-us', null, null, 'ms-office-2019-home-business'],
    ['Microsoft Office 2010 dla Użytkowników Domowych i Małych Firm', null, null, 'ms-office-2010-home-business'],
    ['Microsoft 365 Apps for enterprise - zh-cn', '16.0.17029.20068', 'Microsoft Corporation', 'ms-365-apps-enterprise'],
    ['Microsoft 365 企业应用版 - zh-cn', null, null, 'ms-365-apps-enterprise'],
    ['Microsoft Word 2016', null, null, null],
    ['Microsoft Office Visio Professional 2007', null, null, null],
    ['WPS Office 2019', null, null, 'wps-office-personal'],
    ['WPS Office (11.1.0.11045)', '11.1.0.11045', 'Kingsoft Corp.', 'wps-office-personal'],
    ['WPS Office 2019 专业版', '11.8.2.10912', '珠海金山办公软件有限公司', 'wps-office-professional'],
    ['WPS Office', '11.8.2.12085', 'Kingsoft Corp.', 'wps-office-professional'],
    ['wps-office', '11.1.0.11720', null, 'wps-office-personal'],
    ['永中Office 2019', null, '永中软件股份有限公司', 'yozo-office-professional'],
    ['LibreOffice 7.5.4.2', '7.5.4.2', 'The Document Foundation', 'libreoffice'],
    ['OpenOffice.org 3.3', '3.3.9567', 'OpenOffice.org', 'openoffice'],
    ['Apache OpenOffice 4.1.14', '4.114.9811', 'Apache Software Foundation', 'openoffice'],
    // antivirus
    ['360安全卫士', '13.0.0.2001', '360安全中心', 'qihoo-360-safe'],
    ['360杀毒', '5.0.0.8170', '360安全中心', 'qihoo-360-antivirus'],
    ['360 Total Security', '11.0.0.1204', 'Misaka', 'qihoo-360-total-security'],
    ['360终端安全管理系统', null, null, 'qihoo-360-endpoint-security'],
    ['360安全浏览器', null, '360安全中心', null],
    ['奇安信天擎终端安全管理系统', '10.0.0.1000', '奇安信网神信息技术(北京)股份有限公司', 'qianxin-tianqing-endpoint'],
    ['火绒安全软件', '5.0.75.6', '北京火绒网络科技有限公司', 'huorong-security'],
    ['火绒终端安全管理系统', '2.0.0.0', null, 'huorong-endpoint-security'],
    ['瑞星杀毒软件', '25.00.04.33', '北京瑞星网安技术股份有限公司', 'rising-antivirus'],
    ['瑞星ESM', null, null, 'rising-esm'],
    ['金山毒霸', '2019.10.10', 'Cheetah Mobile', 'kingsoft-duba-personal'],
    ['Kaspersky Endpoint Security 11 for Windows', '11.1.1.126', 'AO Kaspersky Lab', 'kaspersky-endpoint-security'],
    ['Kaspersky Security Center Network Agent', '12.0.0.7734', 'AO Kaspersky Lab', IGNORE_LABEL],
    ['ESET NOD32 Antivirus', '13.0.24.0', 'ESET, spol. s r.o.', 'eset-nod32-antivirus'],
    ['ESET Endpoint Security', '12.1.2076.1', 'ESET, spol. s r.o.', 'eset-endpoint-security'],
    ['Symantec Endpoint Protection', '14.3.558.0000', 'Broadcom', 'symantec-endpoint-protection'],
    ['Norton 360', '22.22.4.13', 'NortonLifeLock Inc', 'norton-360'],
    ['McAfee Endpoint Security Platform', '10.7.0', 'McAfee, LLC', 'mcafee-endpoint-security'],
    ['McAfee Agent', '5.7.4.399', 'McAfee, LLC', IGNORE_LABEL],
    ['Trend Micro Apex One Security Agent', '14.0.10297', 'Trend Micro Inc.', 'trend-micro-apex-one'],
    ['趋势科技防毒墙网络版客户端', null, null, 'trend-micro-apex-one'],
    ['Windows Defender', null, null, 'ms-defender-antivirus'],
    // operating systems, as agents report them
    ['Microsoft Windows 10 Pro', '10.0.19045', 'Microsoft Corporation', 'ms-windows-10-pro'],
    ['Microsoft Windows 10 专业版', '10.0.19045', null, 'ms-windows-10-pro'],
    ['Microsoft Windows 7 Ultimate', '6.1.7601', 'Microsoft Corporation', 'ms-windows-7-ultimate'],
    ['Microsoft Windows 7 旗舰版', '6.1.7601', null, 'ms-windows-7-ultimate'],
    ['Microsoft Windows 7 Professional Service Pack 1', '6.1.7601', '', 'ms-windows-7-pro'],
    ['Microsoft Windows 11 家庭中文版', '10.0.22631', null, 'ms-windows-11-home'],
    ['Microsoft Windows 10 企业版 LTSC', '10.0.17763', null, 'ms-windows-10-enterprise'],
    ['Microsoft Windows 10 Pro for Workstations', '10.0.19045', null, 'ms-windows-10-pro-workstations'],
    ['Microsoft Windows 10 Pro Education', null, null, 'ms-windows-10-education'],
    ['Microsoft Windows 8.1 Professionnel', '6.3.9600', null, 'ms-windows-8-1-pro'],
    ['Microsoft Windows 8.1 中文版', '6.3.9600', null, 'ms-windows-8-1'],
    ['Microsoft Windows 10 IoT Enterprise', null, null, null],
    ['Microsoft Windows Server 2016 Standard', '10.0.14393', 'Microsoft Corporation', 'ms-windows-server-2016-standard'],
    ['Microsoft Windows Server 2019 Datacenter', '10.0.17763', '', 'ms-windows-server-2019-datacenter'],
    ['Microsoft Windows Server 2012 R2 Standard', '6.3.9600', null, 'ms-windows-server-2012-r2-standard'],
    ['Microsoft® Windows Server® 2008 R2 Enterprise', '6.1.7601', null, 'ms-windows-server-2008-r2-enterprise'],
    ['Microsoft(R) Windows(R) Server 2003, Enterprise Edition x64', null, null, null],
    ['银河麒麟桌面操作系统 V10', 'V10', null, 'kylin-desktop-v10'],
    ['Kylin Linux Desktop V10 (SP1)', 'V10', null, 'kylin-desktop-v10'],
    ['Kylin Linux Advanced Server V10 (Sword)', 'V10', null, 'kylin-server-v10'],
    ['中标麒麟桌面操作系统 V7.0', null, null, 'neokylin-desktop-v7'],
    ['统信桌面操作系统', null, null, 'uos-desktop-20-pro'],
    ['UnionTech OS Desktop 20 Pro', '20', null, 'uos-desktop-20-pro'],
    ['UnionTech OS Desktop 20 Home', '20', null, 'uos-desktop-20-home'],
    ['UnionTech OS Server release 20 (kongzi)', '20', null, 'uos-server-20'],
    ['Deepin 20.4', '20.4', null, 'deepin-desktop'],
    ['Debian GNU/Linux 12 (bookworm)', '12', null, 'debian-linux'],
    ['Ubuntu 22.04.3 LTS', '22.04', null, 'ubuntu-linux'],
    ['Ubuntu Kylin 22.04', null, null, 'ubuntu-kylin-desktop'],
    ['CentOS Linux release 7.9.2009 (Core)', null, null, 'centos-linux'],
    ['Fedora 31 (Workstation Edition)', '31 (Workstation Edition)', null, 'fedora-linux'],
    ['openSUSE Leap 15.5', null, null, 'opensuse-linux'],
    ['Red Hat Enterprise Linux Server release 7.9 (Maipo)', null, null, 'rhel'],
    ['macOS', '13.4', null, 'macos'],
    ['debianutils', '4.11.2', null, null],
    // design and database
    ['Adobe Acrobat Reader DC - Chinese Simplified', '23.006.20320', 'Adobe Systems Incorporated', 'adobe-reader'],
    ['Adobe Acrobat Pro DC', '22.003.20282', 'Adobe', 'adobe-acrobat-dc'],
    ['Adobe Acrobat (64-bit)', '25.001.20844', 'Adobe', 'adobe-acrobat-dc'],
    ['Adobe Acrobat 2020', '20.001.30002', 'Adobe', 'adobe-acrobat-2020'],
    ['Adobe Photoshop 2024', '25.0.0.37', 'Adobe Inc.', 'adobe-photoshop-cc'],
    ['Adobe Photoshop Elements 2023', null, null, null],
    ['AutoCAD 2014 - 简体中文 (Simplified Chinese)', '19.1.18.0', 'Autodesk', 'autocad'],
    ['AutoCAD LT 2022', null, 'Autodesk', 'autocad-lt'],
    ['AutoCAD Architecture 2024', null, 'Autodesk', null],
    ['CorelDRAW Graphics Suite 2021 (64-Bit)', '23.0.0.363', 'Corel Corporation', 'coreldraw-graphics-suite'],
    ['CorelDRAW Graphics Suite 2021 - Filters (x64)', null, 'Corel Corporation', IGNORE_LABEL],
    ['SQL Server 2019 Standard Edition Database Engine Services', '15.0.2000.5', 'Microsoft Corporation', 'ms-sql-server-2019-standard'],
    ['SQL Server 2016 Enterprise Edition: Core-based Licensing (64-bit) Database Engine Services', null, null, 'ms-sql-server-2016-enterprise'],
    ['Microsoft SQL Server 2005 Standard Edition', '10.53.6000.34', 'Microsoft', 'ms-sql-server-2005-standard'],
    ['SQL Server 2019 Express Edition Database Engine Services', null, null, 'ms-sql-server-express'],
    ['SQL Server 2019 Database Engine Services', null, null, null],
    ['Microsoft SQL Server 2012 Native Client', null, null, IGNORE_LABEL],
    // updates, runtimes, drivers, agents, components
    ['Update for Microsoft Office 2016 (KB4011574) 32-Bit Edition', null, 'Microsoft Corporation', IGNORE_LABEL],
    ['Microsoft Office 2016 安全更新 (KB4484103) 64 位版本', null, 'Microsoft Corporation', IGNORE_LABEL],
    ['KB4019215', null, null, IGNORE_LABEL],
    ['Windows XP Service Pack 3', '20080414.031525', 'Microsoft Corporation', IGNORE_LABEL],
    ['Microsoft Visual C++ 2015 Redistributable (x64) - 14.0.23026', '14.0.23026.0', 'Microsoft Corporation', IGNORE_LABEL],
    ['Microsoft .NET Framework 4.8', '4.8.03761', 'Microsoft Corporation', IGNORE_LABEL],
    ['Java 8 Update 381 (64-bit)', '8.0.3810.9', 'Oracle Corporation', IGNORE_LABEL],
    ['DirectX 9.0c', null, null, IGNORE_LABEL],
    ['Intel(R) Graphics Driver', '27.20.100.8681', 'Intel Corporation', IGNORE_LABEL],
    ['NVIDIA 图形驱动程序 537.58', null, 'NVIDIA Corporation', IGNORE_LABEL],
    ['FusionInventory Agent 2.6 (x64 edition)', '2.6', 'FusionInventory Team', IGNORE_LABEL],
    ['GLPI Agent 1.5', '1.5', 'Teclib', IGNORE_LABEL],
    ['Microsoft Office Proofing (Chinese (Simplified)) 2016', null, null, IGNORE_LABEL],
    ['Microsoft Office Language Pack 2010 - Chinese (Simplified)/中文(简体)', null, null, IGNORE_LABEL],
    ['LibreOffice 7.5 Help Pack (Chinese (simplified))', '7.5.4.2', 'The Document Foundation', IGNORE_LABEL],
    ['Windows Shell Experience', '10.0.19041.423', 'Microsoft Corporation', IGNORE_LABEL],
    ['gettext', '0.20.1-3.fc31', 'Fedora Project', IGNORE_LABEL],
    ['apache2', '2.2.16-6+squeeze6', null, IGNORE_LABEL],
    ['Google Chrome', '120.0.6099.130', 'Google LLC', null],
  ];

  it.each(cases)('%s (%s, %s) → %s', (name, version, publisher, expected) => {
    expect(outcome({ name, version, publisher })).toBe(expected);
  });

  it('agrees with the hand labels of the real-title fixture', () => {
    const [header, ...lines] = readFileSync(LABELLED_TSV, 'utf8').trimEnd().split('\n');
    const column = (name: string): number => {
      const index = header.split('\t').indexOf(name);
      if (index < 0) throw new Error(`${LABELLED_TSV} has no ${name} column`);
      return index;
    };
    const [nameAt, versionAt, publisherAt, expectedAt] = ['raw_name', 'version', 'publisher', 'expected'].map(column);
    const labelled = lines.map((line) => {
      const cells = line.split('\t');
      const optional = (at: number): string | null => (cells[at] === undefined || cells[at] === '' ? null : cells[at]);
      return { title: { name: cells[nameAt], version: optional(versionAt), publisher: optional(publisherAt) }, expected: cells[expectedAt] };
    });
    const editionKeys = new Map(catalogue.editions.map((edition) => [edition.key, edition.key]));
    const badLabels = labelled.filter(({ expected }) => expected !== IGNORE_LABEL && expected !== UNKNOWN_LABEL && !editionKeys.has(expected));
    expect(badLabels).toEqual([]);

    const result = evaluateLabels(matcher, labelled, editionKeys);
    // Measured figures: a rule change that moves them must update them here on purpose.
    expect(result).toMatchObject({ total: 201, truePositives: 44, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1 });
    expect(result.precision).toBeGreaterThanOrEqual(0.97);
    expect(result.recall).toBeGreaterThanOrEqual(0.9);
    // The remaining disagreements are all IGNORE-labelled components that no rule recognizes.
    expect(result.mismatches.map((m) => [m.title.name, m.expected, m.actual])).toEqual([
      ['GPL Ghostscript Fonts', IGNORE_LABEL, UNKNOWN_LABEL],
      ['Xming-fonts 7.5.0.25', IGNORE_LABEL, UNKNOWN_LABEL],
      ['Skype for Business VDI 2016', IGNORE_LABEL, UNKNOWN_LABEL],
      ['anthy-common', IGNORE_LABEL, UNKNOWN_LABEL],
      ['apt-xapian-index', IGNORE_LABEL, UNKNOWN_LABEL],
    ]);
  });
});
