import DataLoader from 'dataloader';
import type { CampaignRecord, CampaignRepository, RoundRecord, SampledMachineRow, SpotCheckRecord } from './campaign.repository';

function byKey<T>(ids: readonly string[], rows: T[], key: (row: T) => string): Array<T | null> {
  const map = new Map(rows.map((r) => [key(r), r]));
  return ids.map((id) => map.get(id) ?? null);
}

/** Per-request loaders over the repository's array methods; results in key order, null for missing keys. */
export function createCampaignLoaders(repository: CampaignRepository, scopeUnitId: string | null) {
  return {
    /** Whether each unit lies inside the caller's scope. */
    unitInScope: new DataLoader<string, boolean>(async (ids) => {
      const inside = await repository.unitsInScope(scopeUnitId, ids);
      return ids.map((id) => inside.has(id));
    }),
    campaignById: new DataLoader<string, CampaignRecord | null>(async (ids) => byKey(ids, await repository.campaignsByIds(ids), (c) => c.id)),
    spotCheckById: new DataLoader<string, SpotCheckRecord | null>(async (ids) => byKey(ids, await repository.spotChecksByIds(ids), (s) => s.id)),
    roundById: new DataLoader<string, RoundRecord | null>(async (ids) => byKey(ids, await repository.roundsByIds(ids), (r) => r.id)),
    /** Sampled machines of each spot check in draw order, one row per finding. */
    sampledMachines: new DataLoader<string, SampledMachineRow[]>(async (ids) => {
      const rows = await repository.sampledMachines(ids);
      return ids.map((id) => rows.filter((r) => r.spotCheckId === id));
    }),
  };
}
export type CampaignLoaders = ReturnType<typeof createCampaignLoaders>;
