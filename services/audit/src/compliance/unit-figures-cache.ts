import type { UnitFigures } from './compliance.loader';

/**
 * A unit's figures (counts per category, totals, shortfall cost), kept in memory per process and tagged with the
 * version of the results they were read from. The engine's results change only when one of its batches commits,
 * and every batch ends by updating the one `audit.compliance_state` row, so that row's `xmin` (the transaction
 * that last wrote it) names the version. A read first asks for the version (one tiny statement), then answers
 * every unit cached under that version from memory: the root of 100,000 machines costs what a department costs.
 * Each replica has its own cache, checked against the database it reads, so replicas never disagree for long.
 */
export class UnitFiguresCache {
  private readonly entries = new Map<string, { version: string; figures: UnitFigures }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(version: string, unitId: string, includeDescendants: boolean): UnitFigures | undefined {
    const entry = this.entries.get(key(unitId, includeDescendants));
    return entry?.version === version ? entry.figures : undefined;
  }

  set(version: string, unitId: string, includeDescendants: boolean, figures: UnitFigures): void {
    const k = key(unitId, includeDescendants);
    this.entries.delete(k);
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: a Map iterates in insertion order, and a refreshed entry is re-inserted at the end.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(k, { version, figures });
  }
}

const key = (unitId: string, includeDescendants: boolean) => `${includeDescendants ? 'subtree' : 'alone'}:${unitId}`;

/** The one cache of this process (every request's loaders share it). */
export const unitFiguresCache = new UnitFiguresCache();
