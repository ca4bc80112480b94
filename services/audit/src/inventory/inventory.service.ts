import { badInput, forbidden, notFound, type Actor } from '@genuine/kit';
import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ScopeRepository } from '../scope/scope.repository';
import type { InventoryLoaders } from './inventory.loader';
import { canOnInventory } from './inventory.policy';
import {
  installationPosition,
  InventoryRepository,
  type InstallationCursor,
  type MachineInventoryRecord,
  type ReportCursor,
  type StaleMachineCursor,
} from './inventory.repository';

export interface StaleMachineFilterInput {
  orgUnitCode?: string | null;
  notSeenForDays?: number | null;
  includeNeverSeen?: boolean | null;
}

export const DEFAULT_STALE_DAYS = 30;
export const MAX_STALE_DAYS = 3650;
const DAY_MS = 86_400_000;

/** What inventories say about registry machines, limited to machines inside the caller's scope. */
export class InventoryService {
  constructor(
    private readonly em: EntityManager,
    private readonly loaders: InventoryLoaders,
    private readonly machineInScope: DataLoader<string, boolean>,
  ) {}

  private async visible(actor: Actor, machineId: string): Promise<boolean> {
    return canOnInventory(actor, 'read') && this.machineInScope.load(machineId);
  }

  async installations(actor: Actor, machineId: string, first: number, after: InstallationCursor | null) {
    const position = after === null ? null : installationPosition(after);
    if (after !== null && position === null) throw badInput('after is not a valid cursor');
    if (!(await this.visible(actor, machineId))) return { items: [], hasNextPage: false, totalCount: 0 };
    const rows = await this.loaders.installationsOf(first + 1, position).load(machineId);
    return {
      items: rows.slice(0, first),
      hasNextPage: rows.length > first,
      totalCount: () => this.loaders.installationCount.load(machineId),
    };
  }

  async reports(actor: Actor, machineId: string, first: number, after: ReportCursor | null) {
    if (!(await this.visible(actor, machineId))) return { items: [], hasNextPage: false, totalCount: 0 };
    const rows = await this.loaders.reportsOf(first + 1, after).load(machineId);
    return {
      items: rows.slice(0, first),
      hasNextPage: rows.length > first,
      totalCount: () => this.loaders.reportCount.load(machineId),
    };
  }

  /** The machine's current inventory state (last seen, evidence), or null when none arrived or it is out of scope. */
  async inventoryState(actor: Actor, machineId: string): Promise<MachineInventoryRecord | null> {
    if (!(await this.visible(actor, machineId))) return null;
    return this.loaders.inventoryOf.load(machineId);
  }

  async lastInventoryAt(actor: Actor, machineId: string): Promise<Date | null> {
    return (await this.inventoryState(actor, machineId))?.lastReportAt ?? null;
  }

  async isVisible(actor: Actor, machineId: string): Promise<boolean> {
    return this.visible(actor, machineId);
  }

  /** Active machines of the caller's scope (or a unit of it) that have not reported for a while, longest silent first. */
  async staleMachines(actor: Actor, filter: StaleMachineFilterInput, first: number, after: StaleMachineCursor | null, now = new Date()) {
    if (!canOnInventory(actor, 'read')) throw forbidden();
    const days = filter.notSeenForDays ?? DEFAULT_STALE_DAYS;
    if (!Number.isInteger(days) || days < 0 || days > MAX_STALE_DAYS) throw badInput(`notSeenForDays must be between 0 and ${MAX_STALE_DAYS}`);
    let rootUnitId = actor.scopeUnitId;
    if (filter.orgUnitCode) {
      const unit = await new ScopeRepository(this.em).unitByCode(actor.scopeUnitId, filter.orgUnitCode);
      if (!unit) throw notFound(`Org unit ${filter.orgUnitCode}`);
      rootUnitId = unit.id;
    }
    const query = { rootUnitId, seenBefore: new Date(now.getTime() - days * DAY_MS), includeNeverSeen: filter.includeNeverSeen ?? true };
    const repository = new InventoryRepository(this.em);
    const rows = await repository.staleMachines({ ...query, after, limit: first + 1 });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => repository.countStaleMachines(query) };
  }
}
