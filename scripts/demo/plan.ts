import { SeededRandom } from './random';
import { antivirusTitles, ignoredTitles, officeTitles, osTitles, otherTitles, unrecognizedTitles, type RawOs, type RawTitle } from './titles';
import { demoUnits, type DemoUnit } from './units';

/**
 * The demo as data (DESIGN → Demo data): every machine with what its agent will report, every purchase, and every
 * seat to assign, generated from a fixed seed so that every first start builds exactly the same world. Nothing here
 * touches a database; `scripts/demo.ts` feeds the plan through the services, and the compliance engine computes the
 * seed's figures from it. Each machine carries the status it was designed to get in each tracked category
 * (`intended`), so the plan can be checked against the seed without a database (`plan.spec.ts`).
 *
 * How the figures come about: per org, every category has a list of roles (a DEVICE seat of some entitlement, a
 * PER_USER seat of the operator, a POOLED or SITE entitlement, free software, an unlicensed install, nothing at
 * all), each with a count. The role lists are shuffled and dealt over the leaf units. `assignLicenseToSubtree` gives
 * seats to a unit's machines by hostname, so within a unit the DEVICE-seat roles are placed on the first machines
 * by hostname, in the order their seats are assigned; everything else stays in shuffled order.
 */

export type TrackedCategory = 'OPERATING_SYSTEM' | 'OFFICE' | 'ANTIVIRUS';
export const TRACKED: readonly TrackedCategory[] = ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS'];
export type IntendedStatus = 'LICENSED' | 'UNLICENSED' | 'MISSING';
export type MachineKindName = 'DESKTOP' | 'LAPTOP';

export const DEMO_SEED = 20110621;

/** One entitlement the demo buys (one purchase with one line). Its quantity follows from the roles using it. */
export interface PurchaseTemplate {
  key: string;
  /** The buying unit; `each-unit`: every leaf unit of the org with seats buys its own. */
  owner: string | 'each-unit';
  supplier: string;
  orderPrefix: string;
  procurementMethod: string;
  purchasedOn: string;
  edition: string;
  unitPrice: string;
  metric?: 'PER_DEVICE' | 'PER_USER' | 'SITE';
  allocation?: 'ASSIGNED' | 'POOLED';
  type?: 'PERPETUAL' | 'SUBSCRIPTION' | 'VOLUME' | 'OEM';
  validUntil?: string;
  /** Seats bought beyond what the roles use (shows as surplus); a fixed quantity for SITE and expired licenses. */
  surplus?: number;
  quantity?: number;
}

interface RoleSpec {
  name: string;
  count: number;
  intended: IntendedStatus;
  /** What the machine reports for this category. */
  os?: readonly RawOs[];
  software?: ReadonlyArray<readonly RawTitle[]>;
  /** A DEVICE seat of this purchase, assigned with assignLicenseToSubtree (seat roles first, in this order). */
  seat?: string;
  /** A PER_USER seat of this purchase for the machine's operator. */
  userSeat?: string;
  /** Covered by this POOLED or SITE purchase without any assignment (counted for its quantity). */
  covers?: string;
}

interface Tier {
  count: number;
  roles: Record<TrackedCategory, RoleSpec[]>;
}

interface OrgSpec {
  root: string;
  /** Machines per leaf unit, in the order of scripts/demo/units.ts. */
  sizes: Record<string, number>;
  /** Short hostname prefix per leaf unit. */
  hosts: Record<string, string>;
  laptops: number;
  /** Distinct operators (people); the other machines share an operator with another machine of their unit. */
  operators: number;
  /** Of the shared-operator pairs, how many are two machines with a PER_USER role (one seat covers both). */
  userPairs: number;
  agent: 'OCS' | 'FUSIONINVENTORY';
  tiers: Tier[];
  purchases: PurchaseTemplate[];
}

export interface PlannedMachine {
  unitCode: string;
  hostname: string;
  serialNumber: string;
  uuid: string;
  kind: MachineKindName;
  operator: string;
  agent: 'OCS' | 'FUSIONINVENTORY';
  manufacturer: string;
  model: string;
  os: RawOs | null;
  software: RawTitle[];
  roles: Record<TrackedCategory, string>;
  intended: Record<TrackedCategory, IntendedStatus>;
}

export interface PlannedPurchase {
  key: string;
  orgUnitCode: string;
  supplier: string;
  orderNumber: string;
  invoiceNumber: string;
  procurementMethod: string;
  purchasedOn: string;
  edition: string;
  quantity: number;
  unitPrice: string;
  metric?: 'PER_DEVICE' | 'PER_USER' | 'SITE';
  allocation?: 'ASSIGNED' | 'POOLED';
  type?: 'PERPETUAL' | 'SUBSCRIPTION' | 'VOLUME' | 'OEM';
  validUntil?: string;
  assetTag: string;
}

export interface DemoPlan {
  machines: PlannedMachine[];
  purchases: PlannedPurchase[];
  /** assignLicenseToSubtree calls, in order: `count` seats of the purchase's entitlement to the unit's machines. */
  deviceSeats: Array<{ purchase: string; unitCode: string; count: number }>;
  /** assignLicense calls to people (PER_USER). */
  userSeats: Array<{ purchase: string; unitCode: string; person: string }>;
}

const os = (...lists: RawOs[][]) => lists.flat();
const one = (list: readonly RawTitle[]) => [list];

const nanxun: OrgSpec = {
  root: 'nanxun',
  sizes: {
    'nanxun-gov-office': 62, 'nanxun-culture-sports': 28, 'nanxun-development-reform': 34, 'nanxun-science-tech': 22, 'nanxun-finance': 56,
    'nanxun-tourism': 18, 'nanxun-public-security': 138, 'nanxun-commerce': 47, 'nanxun-info-center': 25, 'nanxun-town': 58,
    'nanxun-shuanglin': 52, 'nanxun-lianshi': 49, 'nanxun-shanlian': 30, 'nanxun-jiuguan': 27, 'nanxun-linghu': 44, 'nanxun-hefu': 31,
    'nanxun-qianjin': 23, 'nanxun-shicong': 20, 'nanxun-dev-zone': 26,
  },
  hosts: {
    'nanxun-gov-office': 'NXZFB', 'nanxun-culture-sports': 'NXWTJ', 'nanxun-development-reform': 'NXFGJ', 'nanxun-science-tech': 'NXKJJ',
    'nanxun-finance': 'NXCZJ', 'nanxun-tourism': 'NXLYJ', 'nanxun-public-security': 'NXGAJ', 'nanxun-commerce': 'NXGSJ',
    'nanxun-info-center': 'NXXXZX', 'nanxun-town': 'NXZ', 'nanxun-shuanglin': 'SLZ', 'nanxun-lianshi': 'LSZ', 'nanxun-shanlian': 'SHLZ',
    'nanxun-jiuguan': 'JGZ', 'nanxun-linghu': 'LHZ', 'nanxun-hefu': 'HFZ', 'nanxun-qianjin': 'QJZ', 'nanxun-shicong': 'SCZ', 'nanxun-dev-zone': 'NXKFQ',
  },
  laptops: 112,
  operators: 790,
  userPairs: 0,
  agent: 'OCS',
  tiers: [
    {
      count: 790,
      roles: {
        OPERATING_SYSTEM: [
          { name: 'win10-seat', count: 140, intended: 'LICENSED', os: os(osTitles.win10Pro, osTitles.win7Pro), seat: 'nx-win10' },
          { name: 'win7-seat', count: 420, intended: 'LICENSED', os: osTitles.win7Pro, seat: 'nx-win7' },
          { name: 'uncovered', count: 230, intended: 'UNLICENSED', os: osTitles.uncovered },
        ],
        OFFICE: [
          { name: 'office-seat', count: 300, intended: 'LICENSED', software: [[...officeTitles.office2016ProPlus, ...officeTitles.office2010ProPlus]], seat: 'nx-office' },
          { name: 'free', count: 120, intended: 'LICENSED', software: one(officeTitles.free) },
          { name: 'pirated', count: 370, intended: 'UNLICENSED', software: one(officeTitles.pirated) },
        ],
        ANTIVIRUS: [
          { name: 'site', count: 610, intended: 'LICENSED', software: one(antivirusTitles.risingNetwork), covers: 'nx-rising-site' },
          { name: 'free', count: 180, intended: 'LICENSED', software: one(antivirusTitles.free) },
        ],
      },
    },
  ],
  purchases: [
    { key: 'nx-rising-site', owner: 'nanxun', supplier: '北京瑞星信息技术有限公司', orderPrefix: 'NXCG-2011-0630', procurementMethod: '单一来源采购', purchasedOn: '2011-06-30', edition: 'rising-esm', unitPrice: '128000.00', metric: 'SITE', type: 'VOLUME', quantity: 1 },
    { key: 'nx-win7', owner: 'nanxun', supplier: '湖州正信软件有限公司', orderPrefix: 'NXCG-2011-0718', procurementMethod: '政府集中采购', purchasedOn: '2011-07-18', edition: 'ms-windows-7-pro', unitPrice: '980.00', type: 'VOLUME', surplus: 12 },
    { key: 'nx-win10', owner: 'nanxun', supplier: '湖州正信软件有限公司', orderPrefix: 'NXCG-2017-0522', procurementMethod: '政府集中采购', purchasedOn: '2017-05-22', edition: 'ms-windows-10-pro', unitPrice: '1180.00', type: 'VOLUME' },
    { key: 'nx-office', owner: 'nanxun', supplier: '杭州华软信息技术有限公司', orderPrefix: 'NXCG-2017-0523', procurementMethod: '政府集中采购', purchasedOn: '2017-05-23', edition: 'ms-office-2016-pro-plus', unitPrice: '2350.00', type: 'VOLUME', surplus: 8 },
  ],
};

const luonanCounty: OrgSpec = {
  root: 'luonan-county',
  sizes: {
    'luonan-county-committee-office': 96, 'luonan-gov-office': 118, 'luonan-public-security': 312, 'luonan-finance': 104, 'luonan-supervision': 47,
    'luonan-culture-broadcast': 63, 'luonan-commerce': 88, 'luonan-egov-center': 41, 'luonan-education': 257, 'luonan-health': 192,
  },
  hosts: {
    'luonan-county-committee-office': 'LNXWB', 'luonan-gov-office': 'LNZFB', 'luonan-public-security': 'LNGAJ', 'luonan-finance': 'LNCZJ',
    'luonan-supervision': 'LNJCJ', 'luonan-culture-broadcast': 'LNWGJ', 'luonan-commerce': 'LNGSJ', 'luonan-egov-center': 'LNDZZW',
    'luonan-education': 'LNJYJ', 'luonan-health': 'LNWSJ',
  },
  laptops: 192,
  operators: 1300,
  userPairs: 8,
  agent: 'FUSIONINVENTORY',
  tiers: [
    {
      count: 1318,
      roles: {
        OPERATING_SYSTEM: [
          { name: 'win10-seat', count: 690, intended: 'LICENSED', os: os(osTitles.win10Pro, osTitles.win10Pro, osTitles.win7Pro), seat: 'ln-county-win10' },
          { name: 'win10-pool', count: 260, intended: 'LICENSED', os: os(osTitles.win10Pro, osTitles.win7Pro), covers: 'ln-win10-pool' },
          { name: 'uncovered', count: 330, intended: 'UNLICENSED', os: osTitles.uncovered },
          { name: 'unrecognized', count: 38, intended: 'MISSING', os: osTitles.unrecognized },
        ],
        OFFICE: [
          { name: 'office-seat', count: 610, intended: 'LICENSED', software: [[...officeTitles.office2016ProPlus, ...officeTitles.office2016ProPlus, ...officeTitles.office2010ProPlus]], seat: 'ln-county-office' },
          { name: 'm365-user', count: 52, intended: 'LICENSED', software: one(officeTitles.m365), userSeat: 'ln-county-m365' },
          { name: 'wps-pool', count: 220, intended: 'LICENSED', software: one(officeTitles.wpsProfessional), covers: 'ln-wps-pool' },
          { name: 'free', count: 124, intended: 'LICENSED', software: one(officeTitles.free) },
          { name: 'pirated', count: 262, intended: 'UNLICENSED', software: one(officeTitles.pirated) },
          { name: 'none', count: 50, intended: 'MISSING' },
        ],
        ANTIVIRUS: [
          { name: '360-seat', count: 700, intended: 'LICENSED', software: one(antivirusTitles.qihooEndpoint), seat: 'ln-county-360' },
          { name: 'free', count: 364, intended: 'LICENSED', software: one(antivirusTitles.free) },
          { name: 'unlicensed', count: 150, intended: 'UNLICENSED', software: one([...antivirusTitles.unlicensed, ...antivirusTitles.risingNetwork]) },
          { name: 'none', count: 104, intended: 'MISSING' },
        ],
      },
    },
  ],
  purchases: [
    { key: 'ln-win10-pool', owner: 'luonan', supplier: '陕西正版化软件服务中心', orderPrefix: 'LNCG-2018-0910', procurementMethod: '政府集中采购', purchasedOn: '2018-09-10', edition: 'ms-windows-10-pro', unitPrice: '1150.00', allocation: 'POOLED', type: 'VOLUME', surplus: 20 },
    { key: 'ln-wps-pool', owner: 'luonan', supplier: '北京金山办公软件股份有限公司', orderPrefix: 'LNCG-2019-0315', procurementMethod: '政府集中采购', purchasedOn: '2019-03-15', edition: 'wps-office-professional', unitPrice: '450.00', allocation: 'POOLED', type: 'VOLUME', surplus: 20 },
    { key: 'ln-kaspersky-expired', owner: 'luonan-county', supplier: '西安卡巴软件技术有限公司', orderPrefix: 'LNCG-2019-0108', procurementMethod: '询价采购', purchasedOn: '2019-01-08', edition: 'kaspersky-anti-virus', unitPrice: '98.00', allocation: 'POOLED', type: 'SUBSCRIPTION', validUntil: '2024-12-31', quantity: 200 },
    { key: 'ln-county-win10', owner: 'luonan-county', supplier: '陕西正版化软件服务中心', orderPrefix: 'LNCG-2019-0620', procurementMethod: '政府集中采购', purchasedOn: '2019-06-20', edition: 'ms-windows-10-pro', unitPrice: '1180.00', type: 'VOLUME' },
    { key: 'ln-county-office', owner: 'each-unit', supplier: '西安博达信息技术有限公司', orderPrefix: 'LNCG-2020-04', procurementMethod: '协议供货', purchasedOn: '2020-04-16', edition: 'ms-office-2016-pro-plus', unitPrice: '2350.00', surplus: 2 },
    { key: 'ln-county-m365', owner: 'luonan-county', supplier: '世纪互联数据中心有限公司', orderPrefix: 'LNCG-2021-0301', procurementMethod: '竞争性磋商', purchasedOn: '2021-03-01', edition: 'ms-365-apps-enterprise', unitPrice: '1080.00', type: 'SUBSCRIPTION', surplus: 4 },
    { key: 'ln-county-360', owner: 'luonan-county', supplier: '三六零数字安全科技集团有限公司', orderPrefix: 'LNCG-2020-0812', procurementMethod: '政府集中采购', purchasedOn: '2020-08-12', edition: 'qihoo-360-endpoint-security', unitPrice: '150.00', type: 'VOLUME', surplus: 30 },
  ],
};

const luonanTowns: OrgSpec = {
  root: 'luonan-towns',
  sizes: {
    'luonan-chengguan': 112, 'luonan-sihao': 84, 'luonan-jingcun': 63, 'luonan-gucheng': 58, 'luonan-sanyao': 61, 'luonan-lingkou': 57,
    'luonan-xunjian': 52, 'luonan-shipo': 49, 'luonan-baoan': 55, 'luonan-yongfeng': 74,
  },
  hosts: {
    'luonan-chengguan': 'CGJD', 'luonan-sihao': 'SHJD', 'luonan-jingcun': 'JCZ', 'luonan-gucheng': 'GCZ', 'luonan-sanyao': 'SYZ',
    'luonan-lingkou': 'LKZ', 'luonan-xunjian': 'XJZ', 'luonan-shipo': 'SPZ', 'luonan-baoan': 'BAZ', 'luonan-yongfeng': 'YFZ',
  },
  laptops: 54,
  operators: 426,
  userPairs: 0,
  agent: 'FUSIONINVENTORY',
  tiers: [
    {
      // Fully licensed: the seats bought for the towns, free office and antivirus.
      count: 217,
      roles: {
        OPERATING_SYSTEM: [{ name: 'win10-seat', count: 217, intended: 'LICENSED', os: os(osTitles.win10Pro, osTitles.win7Pro), seat: 'ln-towns-win10' }],
        OFFICE: [
          { name: 'office-seat', count: 150, intended: 'LICENSED', software: one(officeTitles.office2016ProPlus), seat: 'ln-towns-office' },
          { name: 'free', count: 67, intended: 'LICENSED', software: one(officeTitles.free) },
        ],
        ANTIVIRUS: [
          { name: 'huorong-seat', count: 120, intended: 'LICENSED', software: one(antivirusTitles.huorongEndpoint), seat: 'ln-towns-huorong' },
          { name: 'free', count: 97, intended: 'LICENSED', software: one(antivirusTitles.free) },
        ],
      },
    },
    {
      // Nothing licensed: pirated systems and suites, unlicensed or no antivirus.
      count: 448,
      roles: {
        OPERATING_SYSTEM: [
          { name: 'uncovered', count: 360, intended: 'UNLICENSED', os: osTitles.uncovered },
          { name: 'unrecognized', count: 88, intended: 'MISSING', os: osTitles.unrecognized },
        ],
        OFFICE: [
          { name: 'pirated', count: 330, intended: 'UNLICENSED', software: one(officeTitles.pirated) },
          { name: 'none', count: 118, intended: 'MISSING' },
        ],
        ANTIVIRUS: [
          { name: 'unlicensed', count: 170, intended: 'UNLICENSED', software: one([...antivirusTitles.unlicensed, ...antivirusTitles.risingNetwork]) },
          { name: 'none', count: 278, intended: 'MISSING' },
        ],
      },
    },
  ],
  purchases: [
    { key: 'ln-towns-win10', owner: 'luonan-towns', supplier: '陕西正版化软件服务中心', orderPrefix: 'LNCG-2020-1105', procurementMethod: '政府集中采购', purchasedOn: '2020-11-05', edition: 'ms-windows-10-pro', unitPrice: '1180.00', type: 'VOLUME' },
    { key: 'ln-towns-office', owner: 'luonan-towns', supplier: '西安博达信息技术有限公司', orderPrefix: 'LNCG-2020-1106', procurementMethod: '协议供货', purchasedOn: '2020-11-06', edition: 'ms-office-2016-pro-plus', unitPrice: '2350.00' },
    { key: 'ln-towns-huorong', owner: 'luonan-towns', supplier: '北京火绒网络科技有限公司', orderPrefix: 'LNCG-2020-1120', procurementMethod: '询价采购', purchasedOn: '2020-11-20', edition: 'huorong-endpoint-security', unitPrice: '120.00', surplus: 5 },
  ],
};

export const DEMO_ORGS: readonly OrgSpec[] = [nanxun, luonanCounty, luonanTowns];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红晓波宁斌燕飞峰凯琳雪梅鑫浩亮健俊婷旭鸿海龙文博志宏春雷晨颖倩丹佳欣怡嘉睿';
const DESKTOPS: ReadonlyArray<readonly [string, string]> = [
  ['Lenovo', 'ThinkCentre M8400t'], ['Lenovo', 'ThinkCentre M720t'], ['Lenovo', '启天 M4650'], ['Dell', 'OptiPlex 7050'], ['HP', 'ProDesk 400 G5 MT'], ['Founder', '方正文祥 E520'],
];
const LAPTOPS: ReadonlyArray<readonly [string, string]> = [['Lenovo', 'ThinkPad T450'], ['Lenovo', 'ThinkPad E480'], ['Lenovo', '昭阳 K43'], ['Dell', 'Latitude 5480'], ['HP', 'ProBook 440 G5']];

function leafUnits(root: string): DemoUnit[] {
  const find = (units: readonly DemoUnit[]): DemoUnit | undefined => {
    for (const unit of units) {
      if (unit.code === root) return unit;
      const found = find(unit.children ?? []);
      if (found) return found;
    }
    return undefined;
  };
  const leaves = (unit: DemoUnit): DemoUnit[] => (unit.children?.length ? unit.children.flatMap(leaves) : [unit]);
  const unit = find(demoUnits);
  if (!unit) throw new Error(`demo org ${root} is not in scripts/demo/units.ts`);
  return leaves(unit);
}

/** Splits `items` into consecutive chunks of the given sizes. */
function chunk<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

const repeat = <T>(item: T, count: number): T[] => Array.from({ length: count }, () => item);

/** Builds the whole demo plan; the same every time. */
export function buildDemoPlan(seed = DEMO_SEED): DemoPlan {
  const rng = new SeededRandom(seed);
  const plan: DemoPlan = { machines: [], purchases: [], deviceSeats: [], userSeats: [] };
  const serials = new Set<string>();
  for (const org of DEMO_ORGS) buildOrg(org, rng, plan, serials);
  return plan;
}

function buildOrg(org: OrgSpec, rng: SeededRandom, plan: DemoPlan, serials: Set<string>): void {
  const units = leafUnits(org.root);
  const sizes = units.map((u) => org.sizes[u.code]);
  if (sizes.some((s) => s === undefined)) throw new Error(`demo org ${org.root}: a leaf unit has no size`);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== org.tiers.reduce((a, t) => a + t.count, 0)) throw new Error(`demo org ${org.root}: unit sizes and tiers disagree`);
  for (const tier of org.tiers) {
    for (const category of TRACKED) {
      if (tier.roles[category].reduce((a, r) => a + r.count, 0) !== tier.count) throw new Error(`demo org ${org.root}: ${category} roles do not add up`);
    }
  }

  // Tiers dealt over the units; within a unit, the first tier's machines come first (by hostname).
  const tierChunks = chunk(rng.shuffle(org.tiers.flatMap((tier, i) => repeat(i, tier.count))), sizes).map((c) => [...c].sort((a, b) => a - b));
  // Per tier and category, the roles dealt over the units (by each unit's share of the tier), seat roles first.
  const rolesByTier = org.tiers.map((tier, t) => {
    const tierSizes = tierChunks.map((c) => c.filter((x) => x === t).length);
    return Object.fromEntries(
      TRACKED.map((category) => {
        const specs = tier.roles[category];
        const rank = (spec: RoleSpec) => (spec.seat ? specs.indexOf(spec) : Number.MAX_SAFE_INTEGER);
        const dealt = chunk(rng.shuffle(specs.flatMap((spec) => repeat(spec, spec.count))), tierSizes);
        return [category, dealt.map((unitRoles) => unitRoles.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map((x) => x.spec))];
      }),
    ) as Record<TrackedCategory, RoleSpec[][]>;
  });
  const kinds = chunk(rng.shuffle([...repeat<MachineKindName>('LAPTOP', org.laptops), ...repeat<MachineKindName>('DESKTOP', total - org.laptops)]), sizes);

  const orgMachines: PlannedMachine[][] = [];
  const specOf = new Map<PlannedMachine, Record<TrackedCategory, RoleSpec>>();
  units.forEach((unit, u) => {
    const numbers = new Set<number>();
    const drafts = kinds[u].map((kind) => {
      let number: number;
      do number = rng.int(1, 9999);
      while (numbers.has(number));
      numbers.add(number);
      return { kind, hostname: `${org.hosts[unit.code]}-${kind === 'LAPTOP' ? 'NB' : 'PC'}${String(number).padStart(4, '0')}` };
    });
    // Plain code-unit order; the hostnames of a unit share one shape, so every collation agrees.
    drafts.sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
    const seen = new Map<number, number>();
    const machines = drafts.map((draft, slot) => {
      const tier = tierChunks[u][slot];
      const at = seen.get(tier) ?? 0;
      seen.set(tier, at + 1);
      const roles = Object.fromEntries(TRACKED.map((c) => [c, rolesByTier[tier][c][u][at]])) as Record<TrackedCategory, RoleSpec>;
      const [manufacturer, model] = rng.pick(draft.kind === 'LAPTOP' ? LAPTOPS : DESKTOPS);
      let serialNumber: string;
      do serialNumber = `${manufacturer.slice(0, 2).toUpperCase()}${rng.hex(8).toUpperCase()}`;
      while (serials.has(serialNumber));
      serials.add(serialNumber);
      const software: RawTitle[] = [];
      for (const c of TRACKED) for (const list of roles[c].software ?? []) software.push(rng.pick(list));
      if (software.some((s) => s.name.startsWith('Microsoft Office'))) software.push(...rng.sample(officeTitles.companions, rng.int(1, 2)));
      software.push(...rng.sample(ignoredTitles, rng.int(1, 3)), ...rng.sample(unrecognizedTitles, rng.int(0, 1)));
      if (rng.next() < 0.2) software.push(otherTitles.reader[0]);
      if (rng.next() < 0.03) software.push(otherTitles.photoshop[0]);
      const osSpec = roles.OPERATING_SYSTEM.os;
      const machine: PlannedMachine = {
        unitCode: unit.code,
        hostname: draft.hostname,
        serialNumber,
        uuid: [8, 4, 4, 4, 12].map((n) => rng.hex(n).toUpperCase()).join('-'),
        kind: draft.kind,
        operator: '',
        agent: org.agent,
        manufacturer,
        model,
        os: osSpec ? rng.pick(osSpec) : null,
        software,
        roles: Object.fromEntries(TRACKED.map((c) => [c, roles[c].name])) as Record<TrackedCategory, string>,
        intended: Object.fromEntries(TRACKED.map((c) => [c, roles[c].intended])) as Record<TrackedCategory, IntendedStatus>,
      };
      specOf.set(machine, roles);
      return machine;
    });
    validateSeatOrder(unit.code, machines, specOf, org);
    orgMachines.push(machines);
  });

  assignOperators(org, units, orgMachines, specOf, rng);
  const machines = orgMachines.flat();
  plan.machines.push(...machines);

  // Purchases: quantities follow from the roles that use them.
  const uses = (machine: PlannedMachine, key: string, how: 'seat' | 'userSeat' | 'covers') => TRACKED.some((c) => specOf.get(machine)?.[c][how] === key);
  org.purchases.forEach((template, p) => {
    const line = (orgUnitCode: string, key: string, suffix: string, quantity: number): PlannedPurchase => ({
      key,
      orgUnitCode,
      supplier: template.supplier,
      orderNumber: `${template.orderPrefix}${suffix}`,
      invoiceNumber: `${template.purchasedOn.slice(0, 4)}${String((p + 1) * 1_000 + plan.purchases.length).padStart(6, '0')}`,
      procurementMethod: template.procurementMethod,
      purchasedOn: template.purchasedOn,
      edition: template.edition,
      quantity,
      unitPrice: template.unitPrice,
      metric: template.metric,
      allocation: template.allocation,
      type: template.type,
      validUntil: template.validUntil,
      assetTag: `RJZC-${template.orderPrefix.replace(/\D/g, '')}${suffix.replace(/\D/g, '')}`,
    });
    if (template.owner === 'each-unit') {
      units.forEach((unit, u) => {
        const count = orgMachines[u].filter((m) => uses(m, template.key, 'seat')).length;
        if (count === 0) return;
        const key = `${template.key}@${unit.code}`;
        plan.purchases.push(line(unit.code, key, `-${String(u + 1).padStart(2, '0')}`, count + (template.surplus ?? 0)));
      });
      return;
    }
    const seated = machines.filter((m) => uses(m, template.key, 'seat')).length;
    const covered = machines.filter((m) => uses(m, template.key, 'covers')).length;
    const holders = [...new Set(machines.filter((m) => uses(m, template.key, 'userSeat')).map((m) => `${m.unitCode}\u0000${m.operator}`))];
    const used = seated + covered + holders.length;
    plan.purchases.push(line(template.owner, template.key, '', template.quantity ?? used + (template.surplus ?? 0)));
    for (const holder of holders) {
      const [unitCode, person] = holder.split('\u0000');
      plan.userSeats.push({ purchase: template.key, unitCode, person });
    }
  });
  // DEVICE seats per unit in the order of the seat roles, which is the hostname order of their holders.
  const owners = new Map(org.purchases.map((p) => [p.key, p.owner]));
  units.forEach((unit, u) => {
    for (const c of TRACKED) {
      for (const spec of org.tiers.flatMap((t) => t.roles[c])) {
        if (!spec.seat) continue;
        const count = orgMachines[u].filter((m) => specOf.get(m)?.[c] === spec).length;
        if (count > 0) plan.deviceSeats.push({ purchase: owners.get(spec.seat) === 'each-unit' ? `${spec.seat}@${unit.code}` : spec.seat, unitCode: unit.code, count });
      }
    }
  });
}

/**
 * Within a unit, the machines holding DEVICE seats of a product must be the first by hostname, in the order the
 * seats are assigned: that is the order `assignLicenseToSubtree` equips them in.
 */
function validateSeatOrder(unitCode: string, machines: readonly PlannedMachine[], specOf: ReadonlyMap<PlannedMachine, Record<TrackedCategory, RoleSpec>>, org: OrgSpec): void {
  for (const c of TRACKED) {
    const seatRoles = org.tiers.flatMap((t) => t.roles[c].filter((s) => s.seat));
    let last = -1;
    let ended = false;
    for (const machine of machines) {
      const spec = specOf.get(machine)?.[c];
      const rank = spec ? seatRoles.indexOf(spec) : -1;
      if (rank === -1) ended = true;
      else if (ended || rank < last) throw new Error(`demo plan: ${unitCode} ${c} seat holders are not first by hostname`);
      else last = rank;
    }
  }
}

/** Operators: distinct people per org, some operating two machines of their unit; names unique within a unit. */
function assignOperators(
  org: OrgSpec,
  units: readonly DemoUnit[],
  orgMachines: PlannedMachine[][],
  specOf: ReadonlyMap<PlannedMachine, Record<TrackedCategory, RoleSpec>>,
  rng: SeededRandom,
): void {
  const total = orgMachines.reduce((a, m) => a + m.length, 0);
  let pairs = total - org.operators;
  const partner = new Map<PlannedMachine, PlannedMachine>();
  const isUserRole = (m: PlannedMachine) => TRACKED.some((c) => specOf.get(m)?.[c].userSeat !== undefined);
  const pair = (a: PlannedMachine, b: PlannedMachine) => {
    partner.set(a, b);
    partner.set(b, a);
    pairs -= 1;
  };
  let userPairs = org.userPairs;
  for (const u of rng.shuffle(units.map((_, i) => i))) {
    const candidates = orgMachines[u].filter(isUserRole);
    for (let i = 0; i + 1 < candidates.length && userPairs > 0; i += 2, userPairs -= 1) pair(candidates[i], candidates[i + 1]);
  }
  while (pairs > 0) {
    const u = rng.int(0, units.length - 1);
    const free = orgMachines[u].filter((m) => !partner.has(m) && !isUserRole(m));
    if (free.length < 2) continue;
    const [a, b] = rng.sample(free, 2);
    pair(a, b);
  }
  units.forEach((unit, u) => {
    const names = new Set<string>();
    const newName = () => {
      let name: string;
      do name = rng.pick([...SURNAMES]) + Array.from({ length: rng.next() < 0.7 ? 2 : 1 }, () => rng.pick([...GIVEN])).join('');
      while (names.has(name));
      names.add(name);
      return name;
    };
    for (const machine of orgMachines[u]) {
      if (machine.operator) continue;
      machine.operator = newName();
      const other = partner.get(machine);
      if (other) other.operator = machine.operator;
    }
  });
}

/** The figures the plan is designed to produce, per org root: what the engine must compute. */
export function intendedFigures(plan: DemoPlan, unitCodes: ReadonlyMap<string, string>) {
  const out = new Map<string, { machines: number; desktops: number; laptops: number; operators: number; fullyLicensed: number; categories: Record<TrackedCategory, Record<IntendedStatus, number>> }>();
  for (const machine of plan.machines) {
    const root = unitCodes.get(machine.unitCode) ?? '';
    const f = out.get(root) ?? {
      machines: 0,
      desktops: 0,
      laptops: 0,
      operators: 0,
      fullyLicensed: 0,
      categories: Object.fromEntries(TRACKED.map((c) => [c, { LICENSED: 0, UNLICENSED: 0, MISSING: 0 }])) as Record<TrackedCategory, Record<IntendedStatus, number>>,
    };
    f.machines += 1;
    if (machine.kind === 'LAPTOP') f.laptops += 1;
    else f.desktops += 1;
    if (TRACKED.every((c) => machine.intended[c] === 'LICENSED')) f.fullyLicensed += 1;
    for (const c of TRACKED) f.categories[c][machine.intended[c]] += 1;
    out.set(root, f);
  }
  for (const [root, f] of out) f.operators = new Set(plan.machines.filter((m) => unitCodes.get(m.unitCode) === root).map((m) => `${m.unitCode}\u0000${m.operator}`)).size;
  return out;
}

/** Leaf unit code → the demo org root it belongs to. */
export function demoOrgOf(): Map<string, string> {
  return new Map(DEMO_ORGS.flatMap((org) => leafUnits(org.root).map((u) => [u.code, org.root] as const)));
}
