import { Role, type Actor } from '@genuine/kit';

export type InventoryAction = 'read';

/** Inventories are read by every human role within scope; agents only write them. */
export function canOnInventory(actor: Actor, action: InventoryAction): boolean {
  switch (action) {
    case 'read':
      return actor.role !== Role.AGENT;
  }
}
