import DataLoader from 'dataloader';
import type { NormalizationRepository, RuleRecord } from './normalization.repository';

/** Per-request loaders over the rule table. */
export function createNormalizationLoaders(repository: NormalizationRepository) {
  return {
    ruleById: new DataLoader<string, RuleRecord | null>(async (ids) => {
      const rows = await repository.findRulesByIds(ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
export type NormalizationLoaders = ReturnType<typeof createNormalizationLoaders>;
