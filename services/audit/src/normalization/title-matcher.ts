import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A software title as an inventory agent reports it (an installed program or the operating system). */
export interface RawTitle {
  name: string;
  version?: string | null;
  publisher?: string | null;
}

/**
 * A normalization rule as the matcher needs it. Patterns are case-insensitive regular expressions; a null pattern
 * matches anything, a non-null pattern tested against a missing field sees the empty string (as
 * `coalesce(field, '') ~* pattern` does in PostgreSQL).
 */
export interface MatcherRule {
  id: string;
  namePattern: string | null;
  publisherPattern: string | null;
  versionPattern: string | null;
  editionId: string | null;
  ignore: boolean;
  priority: number;
}

/** What the rules make of a title: the winning rule, or null when no rule matches (unrecognized). */
export type Recognition = { ruleId: string; editionId: string | null; ignored: boolean } | null;

export const MAX_PATTERN_LENGTH = 500;

/** PostgreSQL caps repetition bounds at 255 (RE_DUP_MAX); JavaScript does not. */
const MAX_REPEAT_BOUND = 255;

/**
 * Escapes whose meaning differs between JavaScript and PostgreSQL's regular expressions, or which only one of them
 * knows: `\b` is a word boundary in JavaScript but a backspace in PostgreSQL; `\w` is ASCII-only in JavaScript but
 * locale-aware in PostgreSQL (so it differs on Chinese titles); `\p{…}` and `\k<…>` exist only in JavaScript.
 */
const NON_PORTABLE_ESCAPES = new Map<string, string>([
  ['b', '\\b means a word boundary in JavaScript but a backspace in PostgreSQL; use (^|[^a-z]) or ([^a-z]|$)'],
  ['B', '\\B differs between JavaScript and PostgreSQL'],
  ['w', '\\w is ASCII-only in JavaScript but matches Chinese letters in PostgreSQL; use an explicit [...] class'],
  ['W', '\\W is ASCII-only in JavaScript but locale-aware in PostgreSQL; use an explicit [^...] class'],
  ['p', '\\p{...} Unicode properties are not supported by PostgreSQL'],
  ['P', '\\P{...} Unicode properties are not supported by PostgreSQL'],
  ['k', '\\k<name> named back-references are not supported by PostgreSQL'],
]);

/**
 * Checks a user-supplied pattern before it is stored: it must compile as a case-insensitive Unicode JavaScript
 * regular expression, stay within MAX_PATTERN_LENGTH, and avoid the constructs that JavaScript and PostgreSQL's `~*`
 * read differently, since the same rules run in both places. Returns an error message, or null when it is fine.
 */
export function validatePattern(pattern: string): string | null {
  if (pattern.length === 0) return 'pattern is empty; omit it to match anything';
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  try {
    new RegExp(pattern, 'iu');
  } catch (error) {
    return `pattern does not compile: ${error instanceof Error ? error.message : String(error)}`;
  }
  return portabilityProblem(pattern);
}

function portabilityProblem(pattern: string): string | null {
  let inBracket = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      const escapeProblem = NON_PORTABLE_ESCAPES.get(next);
      if (escapeProblem !== undefined) return escapeProblem;
      if (inBracket && (next === 'D' || next === 'S')) {
        return `\\${next} inside brackets is not allowed by PostgreSQL`;
      }
      i += 1;
      continue;
    }
    if (inBracket) {
      if (c === ']') inBracket = false;
      continue;
    }
    if (c === '[') {
      inBracket = true;
      // A ']' right after '[' or '[^' is a literal member of the class.
      if (pattern[i + 1] === '^') i += 1;
      if (pattern[i + 1] === ']') i += 1;
      continue;
    }
    if (c === '(' && pattern.startsWith('(?<', i)) {
      return 'lookbehind and named groups ((?<...) are not portable between JavaScript and PostgreSQL';
    }
    if (c === '{') {
      const bound = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i));
      if (bound !== null && Math.max(Number(bound[1]), Number(bound[2] ?? 0)) > MAX_REPEAT_BOUND) {
        return `repetition bounds above ${MAX_REPEAT_BOUND} are not supported by PostgreSQL`;
      }
    }
  }
  return null;
}

/** Trim and collapse runs of whitespace, so that "Microsoft  Office\t2016 " and "Microsoft Office 2016" agree. */
export function normalizeWhitespace(value: string): string {
  return value.trim().replace(/\s+/gu, ' ');
}

interface CompiledRule {
  rule: MatcherRule;
  name: RegExp | null;
  publisher: RegExp | null;
  version: RegExp | null;
}

function compile(rule: MatcherRule, field: 'namePattern' | 'publisherPattern' | 'versionPattern'): RegExp | null {
  const pattern = rule[field];
  if (pattern === null) return null;
  const problem = validatePattern(pattern);
  if (problem !== null) throw new Error(`rule ${rule.id}: ${field} ${problem}`);
  return new RegExp(pattern, 'iu');
}

/**
 * Maps raw titles to editions with a fixed rule set: the highest-priority matching rule wins, ties go to the
 * smaller rule id (plain code-unit order, as SQL `order by priority desc, id collate "C"` sorts).
 * Regular expressions are compiled once, in the constructor; the matcher holds no other state.
 */
export class TitleMatcher {
  private readonly rules: readonly CompiledRule[];

  /** The same check as the module-level validatePattern, for callers that hold only the class. */
  static validatePattern(pattern: string): string | null {
    return validatePattern(pattern);
  }

  constructor(rules: readonly MatcherRule[]) {
    this.rules = [...rules]
      .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((rule) => ({
        rule,
        name: compile(rule, 'namePattern'),
        publisher: compile(rule, 'publisherPattern'),
        version: compile(rule, 'versionPattern'),
      }));
  }

  match(title: RawTitle): Recognition {
    const name = normalizeWhitespace(title.name);
    const version = normalizeWhitespace(title.version ?? '');
    const publisher = normalizeWhitespace(title.publisher ?? '');
    for (const { rule, name: n, publisher: p, version: v } of this.rules) {
      if ((n === null || n.test(name)) && (p === null || p.test(publisher)) && (v === null || v.test(version))) {
        return { ruleId: rule.id, editionId: rule.editionId, ignored: rule.ignore };
      }
    }
    return null;
  }
}

/** The label of a title: an edition key, IGNORE (updates, drivers, runtimes, agents ...) or UNKNOWN. */
export const IGNORE_LABEL = 'IGNORE';
export const UNKNOWN_LABEL = 'UNKNOWN';

export interface LabelMismatch {
  title: RawTitle;
  expected: string;
  actual: string;
  ruleId: string | null;
}

export interface LabelEvaluation {
  total: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  mismatches: LabelMismatch[];
}

/**
 * Scores a matcher against hand-labelled titles.
 *
 * Precision and recall are measured over the decision "this title is edition X" — the one that moves compliance
 * figures. A true positive is a title recognized as exactly its expected edition; a false positive is a title
 * recognized as an edition other than its label (a wrong edition, or an edition for an IGNORE / UNKNOWN title); a
 * false negative is a title labelled with an edition that did not get that edition (wrong edition, ignored or
 * unrecognized). A wrong edition therefore counts once on each side. precision = TP / (TP + FP) and
 * recall = TP / (TP + FN), each 1 when its denominator is 0. IGNORE and UNKNOWN confusions do not move either
 * figure; they, like every other disagreement, are listed in `mismatches`.
 */
export function evaluateLabels(
  matcher: TitleMatcher,
  labelled: ReadonlyArray<{ title: RawTitle; expected: string }>,
  editionKeyById: ReadonlyMap<string, string>,
): LabelEvaluation {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  const mismatches: LabelMismatch[] = [];
  for (const { title, expected } of labelled) {
    const recognition = matcher.match(title);
    const actual = labelOf(recognition, editionKeyById);
    const expectsEdition = expected !== IGNORE_LABEL && expected !== UNKNOWN_LABEL;
    const gotEdition = actual !== IGNORE_LABEL && actual !== UNKNOWN_LABEL;
    if (actual === expected) {
      if (gotEdition) truePositives += 1;
      continue;
    }
    if (gotEdition) falsePositives += 1;
    if (expectsEdition) falseNegatives += 1;
    mismatches.push({ title, expected, actual, ruleId: recognition?.ruleId ?? null });
  }
  return {
    total: labelled.length,
    truePositives,
    falsePositives,
    falseNegatives,
    precision: ratio(truePositives, truePositives + falsePositives),
    recall: ratio(truePositives, truePositives + falseNegatives),
    mismatches,
  };
}

function labelOf(recognition: Recognition, editionKeyById: ReadonlyMap<string, string>): string {
  if (recognition === null) return UNKNOWN_LABEL;
  if (recognition.ignored || recognition.editionId === null) return IGNORE_LABEL;
  const key = editionKeyById.get(recognition.editionId);
  if (key === undefined) throw new Error(`rule ${recognition.ruleId} names edition ${recognition.editionId}, which has no key`);
  return key;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 1 : numerator / denominator;
}

// ---------------------------------------------------------------------------------------------- default catalogue

export const SOFTWARE_CATEGORIES = ['OPERATING_SYSTEM', 'OFFICE', 'ANTIVIRUS', 'DATABASE', 'DESIGN', 'DEVELOPMENT', 'OTHER'] as const;
export type SoftwareCategory = (typeof SOFTWARE_CATEGORIES)[number];
export const LICENSE_METRICS = ['PER_DEVICE', 'PER_USER', 'SITE', 'CONCURRENT', 'PER_CORE'] as const;
export type LicenseMetric = (typeof LICENSE_METRICS)[number];

export interface CatalogueProduct {
  key: string;
  publisher: string;
  name: string;
  category: SoftwareCategory;
  licensable: boolean;
}

export interface CatalogueEdition {
  key: string;
  product: string;
  name: string;
  version: string | null;
  metric: LicenseMetric;
  listPrice: { amount: string; currency: string } | null;
  /** Editions this one may stand in for (downgrade and down-edition rights), listed explicitly, not transitively. */
  covers: string[];
}

export interface CatalogueRule {
  key: string;
  namePattern: string | null;
  publisherPattern: string | null;
  versionPattern: string | null;
  edition: string | null;
  ignore: boolean;
  priority: number;
}

export interface DefaultCatalogue {
  products: CatalogueProduct[];
  editions: CatalogueEdition[];
  rules: CatalogueRule[];
}

export const DEFAULT_CATALOGUE_PATH = join(__dirname, 'default-catalogue.json');

/**
 * Reads the rule set that ships as data, with the catalogue entries it points at, and checks it whole: shapes and
 * enums, unique kebab-case keys, every reference (rule → edition, covers → edition, edition → product), every
 * pattern through validatePattern, and no list price on a free product. Throws one Error listing every problem, so a
 * broken edit is fixed in one pass.
 *
 * Priority bands of the shipped rules: 1000 updates, language packs and components whose titles embed a product
 * name; 900 runtimes, drivers, agents and OS components; 600-799 product editions (the more specific, the higher);
 * below 200 generic fallbacks (distribution packages, macOS bundles). A user rule above 1000 overrides them all.
 */
export function loadDefaultCatalogue(path: string = DEFAULT_CATALOGUE_PATH): DefaultCatalogue {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the catalogue ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problems: string[] = [];
  const catalogue = parseCatalogue(data, problems);
  if (problems.length > 0) {
    throw new Error(`invalid catalogue ${path} (${problems.length} problems):\n- ${problems.join('\n- ')}`);
  }
  return catalogue;
}

/** The catalogue's rules as the matcher takes them; ids are the rule and edition keys. */
export function catalogueMatcherRules(catalogue: DefaultCatalogue): MatcherRule[] {
  return catalogue.rules.map((rule) => ({
    id: rule.key,
    namePattern: rule.namePattern,
    publisherPattern: rule.publisherPattern,
    versionPattern: rule.versionPattern,
    editionId: rule.edition,
    ignore: rule.ignore,
    priority: rule.priority,
  }));
}

const KEY_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const AMOUNT_PATTERN = /^\d+(\.\d{1,2})?$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseCatalogue(data: unknown, problems: string[]): DefaultCatalogue {
  if (!isFields(data)) {
    problems.push('the file must hold an object with products, editions and rules');
    return { products: [], editions: [], rules: [] };
  }
  const list = (field: string): unknown[] => {
    const value = data[field];
    if (Array.isArray(value)) return value;
    problems.push(`${field} must be an array`);
    return [];
  };
  const products = list('products').flatMap((entry, i) => parseProduct(entry, `products[${i}]`, problems));
  const editions = list('editions').flatMap((entry, i) => parseEdition(entry, `editions[${i}]`, problems));
  const rules = list('rules').flatMap((entry, i) => parseRule(entry, `rules[${i}]`, problems));

  const seen = new Map<string, string>();
  const claim = (key: string, kind: string): void => {
    const owner = seen.get(key);
    if (owner !== undefined) problems.push(`${kind} key ${key} is already used by a ${owner}`);
    else seen.set(key, kind);
  };
  const productsByKey = new Map<string, CatalogueProduct>();
  for (const product of products) {
    claim(product.key, 'product');
    productsByKey.set(product.key, product);
  }
  const editionKeys = new Set<string>();
  for (const edition of editions) {
    claim(edition.key, 'edition');
    editionKeys.add(edition.key);
  }
  for (const rule of rules) claim(rule.key, 'rule');

  for (const edition of editions) {
    const product = productsByKey.get(edition.product);
    if (product === undefined) problems.push(`edition ${edition.key}: product ${edition.product} does not exist`);
    else if (!product.licensable && edition.listPrice !== null) {
      problems.push(`edition ${edition.key}: product ${product.key} is free, so the edition takes no list price`);
    }
    for (const covered of edition.covers) {
      if (covered === edition.key) problems.push(`edition ${edition.key}: covers itself`);
      else if (!editionKeys.has(covered)) problems.push(`edition ${edition.key}: covers ${covered}, which does not exist`);
    }
  }
  for (const rule of rules) {
    if (rule.edition !== null && !editionKeys.has(rule.edition)) {
      problems.push(`rule ${rule.key}: edition ${rule.edition} does not exist`);
    }
  }
  return { products, editions, rules };
}

function parseProduct(entry: unknown, at: string, problems: string[]): CatalogueProduct[] {
  if (!isFields(entry)) return fail(problems, `${at} must be an object`);
  const before = problems.length;
  const key = keyField(entry, at, problems);
  const publisher = stringField(entry, 'publisher', at, problems);
  const name = stringField(entry, 'name', at, problems);
  const category = enumField(entry, 'category', SOFTWARE_CATEGORIES, at, problems);
  const licensable = booleanField(entry, 'licensable', at, problems);
  if (problems.length > before || category === null) return [];
  return [{ key, publisher, name, category, licensable }];
}

function parseEdition(entry: unknown, at: string, problems: string[]): CatalogueEdition[] {
  if (!isFields(entry)) return fail(problems, `${at} must be an object`);
  const before = problems.length;
  const key = keyField(entry, at, problems);
  const product = stringField(entry, 'product', at, problems);
  const name = stringField(entry, 'name', at, problems);
  const version = nullableStringField(entry, 'version', at, problems);
  const metric = enumField(entry, 'metric', LICENSE_METRICS, at, problems);
  const listPrice = moneyField(entry, 'listPrice', at, problems);
  const covers = entry.covers;
  if (!Array.isArray(covers) || !covers.every((c): c is string => typeof c === 'string')) {
    problems.push(`${at} (${key}): covers must be an array of edition keys`);
  }
  if (problems.length > before || metric === null || !Array.isArray(covers)) return [];
  return [{ key, product, name, version, metric, listPrice, covers: covers.filter((c): c is string => typeof c === 'string') }];
}

function parseRule(entry: unknown, at: string, problems: string[]): CatalogueRule[] {
  if (!isFields(entry)) return fail(problems, `${at} must be an object`);
  const before = problems.length;
  const key = keyField(entry, at, problems);
  const where = `rule ${key || at}`;
  const pattern = (field: string): string | null => {
    const value = nullableStringField(entry, field, at, problems);
    if (value === null) return null;
    const problem = validatePattern(value);
    if (problem !== null) problems.push(`${where}: ${field} ${problem}`);
    return value;
  };
  const namePattern = pattern('namePattern');
  const publisherPattern = pattern('publisherPattern');
  const versionPattern = pattern('versionPattern');
  const edition = nullableStringField(entry, 'edition', at, problems);
  const ignore = booleanField(entry, 'ignore', at, problems);
  const priority = entry.priority;
  if (typeof priority !== 'number' || !Number.isInteger(priority)) problems.push(`${where}: priority must be an integer`);
  if ((edition === null) !== ignore) problems.push(`${where}: a rule names an edition or ignores, exactly one of the two`);
  if (namePattern === null && publisherPattern === null && versionPattern === null) {
    problems.push(`${where}: has no pattern, so it would match every title`);
  }
  if (problems.length > before || typeof priority !== 'number') return [];
  return [{ key, namePattern, publisherPattern, versionPattern, edition, ignore, priority }];
}

function fail(problems: string[], problem: string): [] {
  problems.push(problem);
  return [];
}

function keyField(entry: Fields, at: string, problems: string[]): string {
  const key = entry.key;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    problems.push(`${at}: key ${JSON.stringify(key)} must be a kebab-case string`);
    return typeof key === 'string' ? key : '';
  }
  return key;
}

function stringField(entry: Fields, field: string, at: string, problems: string[]): string {
  const value = entry[field];
  if (typeof value === 'string' && value.trim() !== '') return value;
  problems.push(`${at} (${String(entry.key)}): ${field} must be a non-empty string`);
  return '';
}

function nullableStringField(entry: Fields, field: string, at: string, problems: string[]): string | null {
  const value = entry[field];
  if (value === null || typeof value === 'string') return value;
  problems.push(`${at} (${String(entry.key)}): ${field} must be a string or null`);
  return null;
}

function booleanField(entry: Fields, field: string, at: string, problems: string[]): boolean {
  const value = entry[field];
  if (typeof value === 'boolean') return value;
  problems.push(`${at} (${String(entry.key)}): ${field} must be true or false`);
  return false;
}

function enumField<T extends string>(entry: Fields, field: string, allowed: readonly T[], at: string, problems: string[]): T | null {
  const value = entry[field];
  const match = allowed.find((candidate) => candidate === value);
  if (match !== undefined) return match;
  problems.push(`${at} (${String(entry.key)}): ${field} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return null;
}

function moneyField(entry: Fields, field: string, at: string, problems: string[]): { amount: string; currency: string } | null {
  const value = entry[field];
  if (value === null) return null;
  if (isFields(value) && typeof value.amount === 'string' && AMOUNT_PATTERN.test(value.amount)
    && typeof value.currency === 'string' && CURRENCY_PATTERN.test(value.currency)) {
    return { amount: value.amount, currency: value.currency };
  }
  problems.push(`${at} (${String(entry.key)}): ${field} must be null or { amount: "1399.00", currency: "CNY" }`);
  return null;
}
