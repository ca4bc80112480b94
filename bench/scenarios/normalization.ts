import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  TitleMatcher,
  catalogueMatcherRules,
  evaluateLabels,
  loadDefaultCatalogue,
} from '@genuine/audit/src/normalization/title-matcher';
import { measured, type Figure } from '../support/report';

const LABELLED = path.resolve(__dirname, '../../test/fixtures/software-titles.labelled.tsv');

/** The labelled fixture as the matcher's spec reads it: raw_name, version, publisher, expected. */
function readLabelled() {
  const [header, ...lines] = readFileSync(LABELLED, 'utf8').trimEnd().split('\n');
  const columns = header.split('\t');
  const at = (name: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`${LABELLED} has no ${name} column`);
    return i;
  };
  const [name, version, publisher, expected] = ['raw_name', 'version', 'publisher', 'expected'].map(at);
  return lines.map((line) => {
    const cells = line.split('\t');
    const optional = (i: number) => (cells[i] ? cells[i] : null);
    return { title: { name: cells[name], version: optional(version), publisher: optional(publisher) }, expected: cells[expected] };
  });
}

/** Precision and recall of the shipped rules over the hand-labelled real titles (issue 4, item 4). */
export function normalizationScenario(): Figure[] {
  const catalogue = loadDefaultCatalogue();
  const matcher = new TitleMatcher(catalogueMatcherRules(catalogue));
  const labelled = readLabelled();
  const result = evaluateLabels(matcher, labelled, new Map(catalogue.editions.map((e) => [e.key, e.key])));
  const t0 = performance.now();
  const rounds = 50;
  for (let i = 0; i < rounds; i += 1) for (const { title } of labelled) matcher.match(title);
  const perSecond = (rounds * labelled.length) / ((performance.now() - t0) / 1000);
  const counts = `${result.total} titles: ${result.truePositives} right editions, ${result.falsePositives} wrong, ${result.falseNegatives} missed; ${result.mismatches.length} disagreements in all (IGNORE/UNKNOWN included)`;
  return [
    measured({ scenario: 'normalization', figure: 'normalization precision (shipped rules, labelled real titles)', unit: '', ours: result.precision, baselineName: null, baseline: null, target: '>= 0.97', note: counts }),
    measured({ scenario: 'normalization', figure: 'normalization recall', unit: '', ours: result.recall, baselineName: null, baseline: null, target: '>= 0.90' }),
    measured({ scenario: 'normalization', figure: 'title matching rate (in process, one core)', unit: 'titles/s', ours: perSecond, baselineName: null, baseline: null, target: 'printed' }),
  ];
}
