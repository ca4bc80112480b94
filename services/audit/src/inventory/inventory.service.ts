import type { Actor } from '@genuine/kit';
import type DataLoader from 'dataloader';
import type { InventoryLoaders } from './inventory.loader';
import { canOnInventory } from './inventory.policy';
import type { InstallationCursor } from './inventory.repository';

/** What inventories say about registry machines, limited to machines inside the caller's scope. */
export class InventoryService {
  constructor(
    private readonly loaders: InventoryLoaders,
    private readonly machineInScope: DataLoader<string, boolean>,
  ) {}

  private async visible(actor: Actor, machineId: string): Promise<boolean> {
    return canOnInventory(actor, 'read') && this.machineInScope.load(machineId);
  }

  async installations(actor: Actor, machineId: string, first: number, after: InstallationCursor | null) {
    if (!(await this.visible(actor, machineId))) return { items: [], hasNextPage: false, totalCount: 0 };
    const rows = await this.loaders.installationsOf(first + 1, after).load(machineId);
    return {
      items: rows.slice(0, first),
      hasNextPage: rows.length > first,
      totalCount: () => this.loaders.installationCount.load(machineId),
    };
  }

  async lastInventoryAt(actor: Actor, machineId: string): Promise<Date | null> {
    if (!(await this.visible(actor, machineId))) return null;
    return (await this.loaders.inventoryOf.load(machineId))?.lastReportAt ?? null;
  }

  async isVisible(actor: Actor, machineId: string): Promise<boolean> {
    return this.visible(actor, machineId);
  }
}
