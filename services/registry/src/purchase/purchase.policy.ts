import { can, Permission, type Actor } from '@genuine/kit';

export type PurchaseAction = 'read' | 'record' | 'report';

/** Finance records purchases and reads spend; everyone who may read sees the purchases of their scope. */
export function canOnPurchase(actor: Actor, action: PurchaseAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'record':
    case 'report':
      return can(actor, Permission.MANAGE_FINANCE);
  }
}
