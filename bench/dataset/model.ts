import {
  loadDefaultCatalogue,
  type CatalogueEdition,
  type CatalogueProduct,
  type SoftwareCategory,
} from '@genuine/audit/src/normalization/title-matcher';
import { Rng, hash32, unit, uuidFor } from './random';
import type { DatasetSize } from './size';

/*
 * The dataset as a pure function of its size: small parts (units, editions, titles, entitlements) are built in
 * memory; machines and their installations are derived from their index on demand, so 100,000 machines x 50
 * installations stream into COPY without ever being held at once, and any one machine can be regenerated alone
 * (the inventory emitter sends exactly the installations the loader wrote).
 */

/** Entity kinds, mixed into ids and random streams so that every kind draws its own numbers. */
const KIND = { unit: 1, machine: 2, smbios: 3, edition: 4, title: 5, product: 6, publisher: 7, entitlement: 8, assignment: 9 } as const;
const STREAM = { tree: 11, machineUnit: 13, unitWeight: 14, installs: 17, entitlement: 23, seat: 29, machineAttrs: 31 } as const;

export type OrgUnitKind = 'PROVINCE' | 'CITY' | 'DISTRICT' | 'COUNTY' | 'DEPARTMENT' | 'TOWNSHIP' | 'DEVELOPMENT_ZONE' | 'OTHER';
export type MachineKind = 'DESKTOP' | 'LAPTOP' | 'SERVER' | 'VIRTUAL';

export interface UnitRow {
  index: number;
  id: string;
  code: string;
  name: string;
  kind: OrgUnitKind;
  parent: number | null;
  depth: number;
  /** Indexes of the unit's ancestors, root first, ending with the unit itself. */
  path: number[];
}

export interface PublisherRow {
  index: number;
  id: string;
  name: string;
}

export interface ProductRow {
  index: number;
  id: string;
  key: string;
  name: string;
  publisher: number;
  category: SoftwareCategory;
  licensable: boolean;
}

export interface EditionRow {
  index: number;
  id: string;
  key: string;
  name: string;
  version: string | null;
  product: number;
  metric: string;
  /** Decimal string in CNY, or null (free product or no list price). */
  listPrice: string | null;
  /** Whether it comes from the shipped catalogue (else synthetic). */
  catalogue: boolean;
}

export type TitleKind = 'edition' | 'ignore' | 'unknown';

export interface TitleRow {
  index: number;
  id: string;
  name: string;
  version: string | null;
  publisher: string | null;
  arch: string;
  kind: TitleKind;
  edition: number | null;
  category: SoftwareCategory;
  isOperatingSystem: boolean;
  licensable: boolean;
}

export interface MachineRow {
  index: number;
  id: string;
  unit: number;
  hostname: string;
  serialNumber: string;
  uuid: string;
  assetTag: string;
  kind: MachineKind;
  operator: string | null;
  status: 'ACTIVE' | 'RETIRED';
}

export interface InstallRow {
  machine: MachineRow;
  title: TitleRow;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface EntitlementRow {
  index: number;
  id: string;
  edition: number;
  ownerUnit: number;
  quantity: number;
  metric: string;
  type: 'PERPETUAL' | 'SUBSCRIPTION' | 'OEM' | 'VOLUME';
  allocation: 'ASSIGNED' | 'POOLED';
  validFrom: string;
  validUntil: string | null;
  unitCost: string;
  assetTag: string;
}

export interface AssignmentRow {
  id: string;
  entitlement: number;
  machine: MachineRow;
  edition: number;
  assignedAt: Date;
}

const PLACES = ['南浔', '吴兴', '德清', '长兴', '安吉', '洛南', '商州', '丹凤', '柞水', '镇安', '山阳', '临安', '桐庐', '建德', '淳安', '富阳', '余杭', '萧山', '海宁', '桐乡', 'Huzhou', 'Shangluo', 'Lishui', 'Jinhua'];
const DEPARTMENTS = ['教育局', '财政局', '卫生健康局', '公安局', '税务局', '人民医院', '档案馆', '民政局', '自然资源局', 'Finance Bureau', 'Education Bureau', 'Statistics Office'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '华', '平'];
const SYNTHETIC_VENDORS = ['Contoso', 'Fabrikam', 'Northwind', 'Tailspin', 'Wingtip', 'Litware', 'Adatum', 'Proseware', 'Woodgrove', 'Lucerne'];
const SYNTHETIC_PRODUCTS: Array<[string, SoftwareCategory]> = [
  ['CAD', 'DESIGN'],
  ['Studio', 'DEVELOPMENT'],
  ['Analytics', 'DATABASE'],
  ['PDF Editor', 'DESIGN'],
  ['Mapping', 'OTHER'],
  ['Statistics', 'OTHER'],
  ['IDE', 'DEVELOPMENT'],
  ['Backup', 'OTHER'],
];
const TIERS = ['Standard', 'Professional', 'Enterprise'];
const IGNORE_FORMS: ReadonlyArray<(n: number) => [string, string | null, string]> = [
  (n: number) => [`Security Update for Microsoft Office 2016 (KB${3100000 + n})`, null, 'Microsoft Corporation'],
  (n: number) => [`Microsoft Visual C++ ${2008 + (n % 15)} Redistributable (x64) - ${9 + (n % 6)}.0.${30000 + n}`, `${9 + (n % 6)}.0.${30000 + n}`, 'Microsoft Corporation'],
  (n: number) => [`Intel(R) Graphics Driver ${n}`, `27.20.100.${n}`, 'Intel Corporation'],
  (n: number) => [`Update for Windows 10 for x64-based Systems (KB${4000000 + n})`, null, 'Microsoft Corporation'],
  (n: number) => [`NVIDIA 图形驱动程序 ${400 + (n % 200)}.${n}`, `${400 + (n % 200)}.${n}`, 'NVIDIA Corporation'],
  (n: number) => [`Microsoft .NET Framework 4.${n % 9} Language Pack ${n}`, `4.${n % 9}.${n}`, 'Microsoft Corporation'],
];
const FREEWARE = ['7-Zip', 'Notepad++', 'Google Chrome', 'Mozilla Firefox', '腾讯QQ', '微信', '钉钉', '搜狗输入法', 'WinRAR', 'Foxit Reader', 'VLC media player', '网易云音乐', '百度网盘', 'Everything', 'PotPlayer'];

const DAY = 86_400_000;
const EPOCH = Date.UTC(2026, 0, 1);

export class Dataset {
  readonly units: UnitRow[];
  readonly publishers: PublisherRow[] = [];
  readonly products: ProductRow[] = [];
  readonly editions: EditionRow[] = [];
  readonly titles: TitleRow[] = [];
  private readonly machineUnit: Uint32Array;
  private readonly machineOrdinal: Uint32Array;
  private readonly osTitles: TitleRow[];
  private readonly officeTitles: TitleRow[];
  private readonly antivirusTitles: TitleRow[];
  private readonly otherTitles: TitleRow[];
  private entitlementRows: EntitlementRow[] | undefined;

  constructor(readonly size: DatasetSize) {
    this.units = buildUnits(size);
    this.buildCatalogue();
    this.buildTitles();
    const titles = new Rng(hash32(size.seed, 99)).shuffle([...this.titles]);
    this.osTitles = titles.filter((t) => t.isOperatingSystem);
    this.officeTitles = titles.filter((t) => t.category === 'OFFICE' && t.kind === 'edition');
    this.antivirusTitles = titles.filter((t) => t.category === 'ANTIVIRUS' && t.kind === 'edition');
    this.otherTitles = titles.filter((t) => !t.isOperatingSystem);
    [this.machineUnit, this.machineOrdinal] = placeMachines(size, this.units.length);
  }

  get root(): UnitRow {
    return this.units[0];
  }

  /** How many machines unit `index` itself holds (not its descendants). */
  machineCount(index: number): number {
    let n = 0;
    for (const u of this.machineUnit) if (u === index) n += 1;
    return n;
  }

  /** Units below the root in the API's order (depth, then code): what `descendants` pages through. */
  descendantsInOrder(): UnitRow[] {
    return this.units.slice(1).sort((a, b) => a.depth - b.depth || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }

  /** Machine `index` (0-based), always the same for the same size. */
  machine(index: number): MachineRow {
    const { seed } = this.size;
    const u = this.units[this.machineUnit[index]];
    const rng = new Rng(hash32(seed, STREAM.machineAttrs, index));
    const roll = rng.next();
    const kind: MachineKind = roll < 0.78 ? 'DESKTOP' : roll < 0.95 ? 'LAPTOP' : roll < 0.98 ? 'SERVER' : 'VIRTUAL';
    const prefix = kind === 'LAPTOP' ? 'nb' : kind === 'SERVER' ? 'srv' : kind === 'VIRTUAL' ? 'vm' : 'pc';
    return {
      index,
      id: uuidFor(seed, KIND.machine, index),
      unit: u.index,
      hostname: `${u.code}-${prefix}${String(this.machineOrdinal[index] + 1).padStart(5, '0')}`,
      serialNumber: `SN${seed.toString(36).toUpperCase()}${String(index).padStart(9, '0')}`,
      uuid: uuidFor(seed, KIND.smbios, index).toUpperCase(),
      assetTag: `GA-${String(index + 1).padStart(8, '0')}`,
      kind,
      operator: rng.chance(0.9) ? `${rng.pick(SURNAMES)}${rng.pick(GIVEN)}` : null,
      status: rng.chance(0.01) ? 'RETIRED' : 'ACTIVE',
    };
  }

  /** The titles installed on machine `index`: one operating system, usually an office suite and an antivirus, then the long tail. */
  installedTitles(index: number): TitleRow[] {
    const rng = new Rng(hash32(this.size.seed, STREAM.installs, index));
    const wanted = Math.min(this.size.installsPerMachine, this.otherTitles.length + 1);
    const chosen = new Set<TitleRow>();
    if (this.osTitles.length > 0) chosen.add(this.osTitles[rng.skewed(this.osTitles.length, 1.5)]);
    if (this.officeTitles.length > 0 && chosen.size < wanted && rng.chance(0.85)) chosen.add(this.officeTitles[rng.skewed(this.officeTitles.length, 1.5)]);
    if (this.antivirusTitles.length > 0 && chosen.size < wanted && rng.chance(0.92)) chosen.add(this.antivirusTitles[rng.skewed(this.antivirusTitles.length, 1.5)]);
    for (let attempts = 0; chosen.size < wanted && attempts < wanted * 20; attempts += 1) {
      chosen.add(this.otherTitles[rng.skewed(this.otherTitles.length, 2)]);
    }
    return [...chosen];
  }

  installs(machine: MachineRow): InstallRow[] {
    const firstSeenAt = new Date(EPOCH + (hash32(this.size.seed, 41, machine.index) % 300) * DAY);
    const lastSeenAt = new Date(EPOCH + 320 * DAY + (hash32(this.size.seed, 43, machine.index) % 86_400) * 1000);
    return this.installedTitles(machine.index).map((title) => ({ machine, title, firstSeenAt, lastSeenAt }));
  }

  /** Every machine in index order, with its installations. */
  *machinesWithInstalls(): Generator<{ machine: MachineRow; installs: InstallRow[] }> {
    for (let i = 0; i < this.size.machines; i += 1) {
      const machine = this.machine(i);
      yield { machine, installs: this.installs(machine) };
    }
  }

  /** Closure rows of the unit tree: (ancestor, descendant, depth) including each unit with itself at depth 0. */
  *closure(): Generator<{ ancestor: UnitRow; descendant: UnitRow; depth: number }> {
    for (const descendant of this.units) {
      for (let i = 0; i < descendant.path.length; i += 1) {
        yield { ancestor: this.units[descendant.path[i]], descendant, depth: descendant.path.length - 1 - i };
      }
    }
  }

  get entitlements(): EntitlementRow[] {
    if (!this.entitlementRows) this.entitlementRows = buildEntitlements(this);
    return this.entitlementRows;
  }

  /**
   * A seat allocator for one pass over the machines in index order: each licensable edition installed on a machine
   * gets a seat with probability `seatFraction`, from the entitlement of that edition owned by the machine's unit
   * or its nearest ancestor that still has a free seat (root-owned entitlements are sized to never run out), so
   * seats never exceed quantities and mostly follow ownership, as real assignments would.
   */
  seatAllocator(): (machine: MachineRow, installs: readonly InstallRow[]) => AssignmentRow[] {
    const byEdition = new Map<number, EntitlementRow[]>();
    for (const e of this.entitlements) {
      if (e.allocation !== 'ASSIGNED') continue;
      const list = byEdition.get(e.edition) ?? [];
      list.push(e);
      byEdition.set(e.edition, list);
    }
    const used = new Uint32Array(this.entitlements.length);
    let next = 0;
    return (machine, installs) => {
      const rows: AssignmentRow[] = [];
      const path = this.units[machine.unit].path;
      const seen = new Set<number>();
      for (const install of installs) {
        const edition = install.title.edition;
        if (edition === null || !install.title.licensable || seen.has(edition)) continue;
        seen.add(edition);
        if (unit(this.size.seed, STREAM.seat, machine.index, edition) >= this.size.seatFraction) continue;
        const candidates = byEdition.get(edition) ?? [];
        let chosen: EntitlementRow | undefined;
        for (let depth = path.length - 1; depth >= 0 && !chosen; depth -= 1) {
          chosen = candidates.find((e) => e.ownerUnit === path[depth] && used[e.index] < e.quantity);
        }
        if (!chosen) continue;
        used[chosen.index] += 1;
        rows.push({ id: uuidFor(this.size.seed, KIND.assignment, next++), entitlement: chosen.index, machine, edition, assignedAt: install.firstSeenAt });
      }
      return rows;
    };
  }

  private buildCatalogue(): void {
    const { seed, editions: wanted } = this.size;
    const catalogue = loadDefaultCatalogue();
    const byKey = new Map(catalogue.products.map((p) => [p.key, p]));
    // An even sample of the shipped editions when fewer are wanted, so every category stays represented.
    const shipped: CatalogueEdition[] =
      wanted >= catalogue.editions.length
        ? catalogue.editions
        : Array.from({ length: wanted }, (_, i) => catalogue.editions[Math.floor((i * catalogue.editions.length) / wanted)]);
    const productIndex = new Map<string, number>();
    const publisherIndex = new Map<string, number>();
    const addPublisher = (name: string) => {
      let index = publisherIndex.get(name);
      if (index === undefined) {
        index = this.publishers.length;
        this.publishers.push({ index, id: uuidFor(seed, KIND.publisher, index), name });
        publisherIndex.set(name, index);
      }
      return index;
    };
    const addProduct = (key: string, p: Pick<CatalogueProduct, 'publisher' | 'name' | 'category' | 'licensable'>) => {
      let index = productIndex.get(key);
      if (index === undefined) {
        index = this.products.length;
        this.products.push({ index, id: uuidFor(seed, KIND.product, index), key, name: p.name, publisher: addPublisher(p.publisher), category: p.category, licensable: p.licensable });
        productIndex.set(key, index);
      }
      return index;
    };
    for (const e of shipped) {
      const product = byKey.get(e.product);
      if (!product) throw new Error(`catalogue edition ${e.key} names unknown product ${e.product}`);
      const index = this.editions.length;
      this.editions.push({
        index,
        id: uuidFor(seed, KIND.edition, index),
        key: e.key,
        name: e.name,
        version: e.version,
        product: addProduct(product.key, product),
        metric: e.metric,
        listPrice: e.listPrice?.amount ?? null,
        catalogue: true,
      });
    }
    for (let j = 0; this.editions.length < wanted; j += 1) {
      const vendor = SYNTHETIC_VENDORS[j % SYNTHETIC_VENDORS.length];
      const [productName, category] = SYNTHETIC_PRODUCTS[Math.floor(j / SYNTHETIC_VENDORS.length) % SYNTHETIC_PRODUCTS.length];
      const version = String(2015 + (Math.floor(j / (SYNTHETIC_VENDORS.length * SYNTHETIC_PRODUCTS.length)) % 10));
      const tier = TIERS[hash32(seed, 61, j) % TIERS.length];
      const key = `bench-${vendor}-${productName}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const index = this.editions.length;
      this.editions.push({
        index,
        id: uuidFor(seed, KIND.edition, index),
        key: `${key}-${version}-${tier.toLowerCase()}-${j}`,
        name: `${vendor} ${productName} ${version} ${tier}${j >= 800 ? ` (${j})` : ''}`,
        version,
        product: addProduct(key, { publisher: `${vendor} Software`, name: `${vendor} ${productName}`, category, licensable: true }),
        metric: 'PER_DEVICE',
        listPrice: `${200 + (hash32(seed, 67, j) % 40) * 50}.00`,
        catalogue: false,
      });
    }
  }

  private buildTitles(): void {
    const { seed, titles: total } = this.size;
    const editionTitles = Math.max(this.editions.length, Math.round(total * 0.6));
    const ignoreTitles = Math.round((total - editionTitles) * 0.62);
    const add = (t: Omit<TitleRow, 'index' | 'id'>) => {
      const index = this.titles.length;
      this.titles.push({ index, id: uuidFor(seed, KIND.title, index), ...t });
    };
    for (let i = 0; i < editionTitles; i += 1) {
      // Every edition gets its canonical title first; the rest are variants of editions picked at random.
      const edition = this.editions[i < this.editions.length ? i : hash32(seed, 71, i) % this.editions.length];
      const product = this.products[edition.product];
      const publisher = this.publishers[product.publisher].name;
      const variant = i < this.editions.length ? 0 : 1 + (hash32(seed, 73, i) % 5);
      const base = edition.name.startsWith(publisher.split(' ')[0]) ? edition.name : `${publisher.split(' ')[0]} ${edition.name}`;
      const suffix = ['', ' (x64)', ' - zh-cn', ' 中文版', ' SP1', ' (64-bit)'][variant];
      add({
        name: `${base}${suffix}${variant > 0 ? ` #${i}` : ''}`,
        version: edition.version ? `${edition.version}.${hash32(seed, 79, i) % 10000}` : null,
        publisher,
        arch: variant === 1 || variant === 5 ? 'x86_64' : '',
        kind: 'edition',
        edition: edition.index,
        category: product.category,
        isOperatingSystem: product.category === 'OPERATING_SYSTEM',
        licensable: product.licensable,
      });
    }
    for (let i = 0; i < ignoreTitles; i += 1) {
      const [name, version, publisher] = IGNORE_FORMS[i % IGNORE_FORMS.length](i);
      add({ name, version, publisher, arch: '', kind: 'ignore', edition: null, category: 'OTHER', isOperatingSystem: false, licensable: false });
    }
    for (let i = 0; this.titles.length < total; i += 1) {
      const product = FREEWARE[i % FREEWARE.length];
      const version = `${1 + (i % 30)}.${Math.floor(i / FREEWARE.length)}`;
      add({ name: `${product} ${version}`, version, publisher: null, arch: '', kind: 'unknown', edition: null, category: 'OTHER', isOperatingSystem: false, licensable: false });
    }
  }
}

/**
 * A four-level tree: the root (a province), ~3 % cities, ~15 % districts and counties, the rest departments,
 * townships and development zones, each attached to a random unit of the level above.
 */
function buildUnits(size: DatasetSize): UnitRow[] {
  const { seed, units: total } = size;
  const rng = new Rng(hash32(seed, STREAM.tree));
  const level1 = Math.max(1, Math.round((total - 1) * 0.03));
  const level2 = Math.max(total > 2 ? 1 : 0, Math.round((total - 1) * 0.15));
  const rows: UnitRow[] = [];
  const add = (kind: OrgUnitKind, parent: UnitRow | null, name: string) => {
    const index = rows.length;
    const row: UnitRow = {
      index,
      id: uuidFor(seed, KIND.unit, index),
      code: `bench-u${String(index).padStart(5, '0')}`,
      name,
      kind,
      parent: parent?.index ?? null,
      depth: parent ? parent.depth + 1 : 0,
      path: parent ? [...parent.path, index] : [index],
    };
    rows.push(row);
    return row;
  };
  const root = add('PROVINCE', null, '浙江省 (bench)');
  const cities: UnitRow[] = [];
  const districts: UnitRow[] = [];
  for (let i = 0; i < level1 && rows.length < total; i += 1) cities.push(add('CITY', root, `${PLACES[i % PLACES.length]}市`));
  for (let i = 0; i < level2 && rows.length < total; i += 1) {
    const kind = rng.chance(0.5) ? 'DISTRICT' : 'COUNTY';
    districts.push(add(kind, rng.pick(cities), `${rng.pick(PLACES)}${kind === 'DISTRICT' ? '区' : '县'}`));
  }
  const parents = districts.length > 0 ? districts : cities;
  while (rows.length < total) {
    const roll = rng.next();
    const kind: OrgUnitKind = roll < 0.6 ? 'DEPARTMENT' : roll < 0.92 ? 'TOWNSHIP' : 'DEVELOPMENT_ZONE';
    const parent = rng.pick(parents);
    const name = kind === 'DEPARTMENT' ? `${parent.name}${rng.pick(DEPARTMENTS)}` : kind === 'TOWNSHIP' ? `${rng.pick(PLACES)}镇` : `${rng.pick(PLACES)}经济开发区`;
    add(kind, parent, name);
  }
  return rows;
}

/** Spreads machines over every unit with uneven weights (1 to 16): some units are large, none is empty. */
function placeMachines(size: DatasetSize, unitCount: number): [Uint32Array, Uint32Array] {
  const weights = Array.from({ length: unitCount }, (_, u) => 1 + (hash32(size.seed, STREAM.unitWeight, u) % 4) ** 2);
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) cumulative.push((total += w));
  const unitOf = new Uint32Array(size.machines);
  const ordinal = new Uint32Array(size.machines);
  const counts = new Uint32Array(unitCount);
  for (let i = 0; i < size.machines; i += 1) {
    // The first machines go one per unit, so no unit is empty when there are enough machines.
    let u = i;
    if (i >= unitCount) {
      const target = unit(size.seed, STREAM.machineUnit, i) * total;
      let lo = 0;
      let hi = unitCount - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid] > target) hi = mid;
        else lo = mid + 1;
      }
      u = lo;
    }
    unitOf[i] = u;
    ordinal[i] = counts[u]++;
  }
  return [unitOf, ordinal];
}

function buildEntitlements(dataset: Dataset): EntitlementRow[] {
  const { seed, entitlements: count } = dataset.size;
  const licensable = dataset.editions.filter((e) => dataset.products[e.product].licensable);
  if (licensable.length === 0) return [];
  const rows: EntitlementRow[] = [];
  for (let j = 0; j < count; j += 1) {
    const rng = new Rng(hash32(seed, STREAM.entitlement, j));
    // The first ones give every licensable edition a central (root-owned) entitlement; the rest spread out.
    const edition = j < licensable.length ? licensable[j] : licensable[rng.skewed(licensable.length, 1.5)];
    const owner = j < licensable.length ? 0 : rng.skewed(dataset.units.length, 1.3);
    const typeRoll = rng.next();
    const type: EntitlementRow['type'] = typeRoll < 0.5 ? 'PERPETUAL' : typeRoll < 0.75 ? 'SUBSCRIPTION' : typeRoll < 0.95 ? 'VOLUME' : 'OEM';
    const from = new Date(Date.UTC(2020 + rng.int(7), rng.int(12), 1 + rng.int(28)));
    rows.push({
      index: j,
      id: uuidFor(seed, KIND.entitlement, j),
      edition: edition.index,
      ownerUnit: owner,
      quantity: j < licensable.length ? Math.max(1, dataset.size.machines) : 1 + rng.skewed(500, 2),
      metric: edition.metric,
      type,
      allocation: rng.chance(0.7) || j < licensable.length ? 'ASSIGNED' : 'POOLED',
      validFrom: from.toISOString().slice(0, 10),
      validUntil: type === 'SUBSCRIPTION' ? new Date(from.getTime() + (1 + rng.int(3)) * 365 * DAY).toISOString().slice(0, 10) : null,
      unitCost: edition.listPrice ?? `${100 + rng.int(30) * 100}.00`,
      assetTag: `ENT-${String(j + 1).padStart(6, '0')}`,
    });
  }
  return rows;
}
