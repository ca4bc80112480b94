import { can, Permission, type Actor } from '@genuine/kit';

export type InventoryAction = 'read' | 'submit';

/** Inventories are read by every human role within scope; agents only send them. */
export function canOnInventory(actor: Actor, action: InventoryAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'submit':
      return can(actor, Permission.SUBMIT_INVENTORY);
  }
}
