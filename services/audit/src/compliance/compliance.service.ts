import { forbidden, notFound, withAdvisoryXactLock, type Actor } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import type { ComplianceLoaders, UnitFigures } from './compliance.loader';
import { canOnCompliance } from './compliance.policy';
import { ComplianceRepository, type PositionFilter } from './compliance.repository';
import { COMPLIANCE_JOB, recomputeEverything } from './compliance.worker';


/** Reads of the maintained compliance results, within the caller's scope, and the full recompute. */
export class ComplianceService {
  private readonly repository: ComplianceRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly loaders: ComplianceLoaders,
    private readonly machineInScope: DataLoader<string, boolean>,
  ) {
    this.repository = new ComplianceRepository(em);
  }

  private async unitVisible(actor: Actor, unitId: string): Promise<boolean> {
    return canOnCompliance(actor, 'read') && this.loaders.unitInScope.load(unitId);
  }

  /** A unit's figures, alone or with its descendants; zeroes for a unit with no machines. */
  async unitFigures(actor: Actor, unitId: string, includeDescendants: boolean): Promise<UnitFigures> {
    if (!(await this.unitVisible(actor, unitId))) throw notFound('Org unit');
    return (includeDescendants ? this.loaders.unitFigures.subtree : this.loaders.unitFigures.alone).load(unitId);
  }

  async machineStatuses(actor: Actor, machineId: string) {
    if (!canOnCompliance(actor, 'read') || !(await this.machineInScope.load(machineId))) return [];
    return this.loaders.machineStatuses.load(machineId);
  }

  async explanation(actor: Actor, machineId: string, category: string | null) {
    if (!canOnCompliance(actor, 'read') || !(await this.machineInScope.load(machineId))) throw notFound('Machine');
    return this.repository.explanation(machineId, category);
  }

  async positions(actor: Actor, unitId: string, includeDescendants: boolean, filter: PositionFilter, first: number, after: string | null) {
    if (!(await this.unitVisible(actor, unitId))) throw notFound('Org unit');
    const rows = await this.repository.positions(unitId, includeDescendants, filter, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countPositions(unitId, includeDescendants, filter) };
  }

  async unlicensed(actor: Actor, unitId: string, first: number, after: [string, string] | null) {
    if (!(await this.unitVisible(actor, unitId))) throw notFound('Org unit');
    const rows = await this.repository.unlicensed(unitId, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countUnlicensed(unitId) };
  }

  async reclaimable(actor: Actor, unitId: string, first: number) {
    if (!(await this.unitVisible(actor, unitId))) throw notFound('Org unit');
    return this.repository.reclaimable(unitId, first);
  }

  async expiring(actor: Actor, unitId: string, days: number, first: number) {
    if (!(await this.unitVisible(actor, unitId))) throw notFound('Org unit');
    return this.repository.expiring(unitId, days, first);
  }

  /** A full recompute now, under the engine's lock (waits for nothing: answers false when a run holds it). */
  async recompute(actor: Actor): Promise<{ machines: number; ran: boolean }> {
    if (!canOnCompliance(actor, 'recompute')) throw forbidden('Only an unscoped administrator recomputes compliance');
    const run = await withAdvisoryXactLock(this.em, COMPLIANCE_JOB, recomputeEverything);
    return run.acquired ? { machines: run.value, ran: true } : { machines: 0, ran: false };
  }
}
