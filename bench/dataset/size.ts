/** The sizes of a generated dataset; every figure is a command-line argument of the bench. */
export interface DatasetSize {
  seed: number;
  machines: number;
  /** Org units, in a tree of four levels (root, cities, districts and counties, departments and townships). */
  units: number;
  /** Distinct raw software titles as agents report them. */
  titles: number;
  /** Catalogue editions the recognizable titles map to (the shipped catalogue's first, then synthetic ones). */
  editions: number;
  installsPerMachine: number;
  entitlements: number;
  /** Fraction of licensable installations that hold an assigned seat. */
  seatFraction: number;
}

export const DEFAULT_SIZE: DatasetSize = {
  seed: 7,
  machines: 100_000,
  units: 200,
  titles: 2_000,
  editions: 300,
  installsPerMachine: 50,
  entitlements: 5_000,
  seatFraction: 0.6,
};

/** `--quick`: the same shape, small enough for CI. */
export const QUICK_SIZE: DatasetSize = { ...DEFAULT_SIZE, machines: 2_000, units: 60, entitlements: 500 };

const FLAGS: Record<string, keyof DatasetSize> = {
  '--seed': 'seed',
  '--machines': 'machines',
  '--units': 'units',
  '--titles': 'titles',
  '--editions': 'editions',
  '--installs': 'installsPerMachine',
  '--installs-per-machine': 'installsPerMachine',
  '--entitlements': 'entitlements',
  '--seat-fraction': 'seatFraction',
};

export const SIZE_FLAGS = Object.keys(FLAGS);

/** Applies `--machines 5000`-style (or `--machines=5000`) arguments over `base`; throws on a bad value. */
export function sizeFromArgs(args: Map<string, string>, base: DatasetSize): DatasetSize {
  const size = { ...base };
  for (const [flag, field] of Object.entries(FLAGS)) {
    const raw = args.get(flag);
    if (raw === undefined) continue;
    const value = Number(raw);
    const ok = field === 'seatFraction' ? value >= 0 && value <= 1 : Number.isInteger(value) && value >= (field === 'seed' || field === 'entitlements' ? 0 : 1);
    if (!ok) throw new Error(`${flag} ${raw}: expected ${field === 'seatFraction' ? 'a fraction between 0 and 1' : 'a positive integer'}`);
    size[field] = value;
  }
  if (size.units < 2) throw new Error('--units must be at least 2 (a root and one unit below it)');
  if (size.editions > size.titles) throw new Error('--editions cannot exceed --titles: every edition needs a title');
  return size;
}
