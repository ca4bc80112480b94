import { can, Permission, type Actor } from '@genuine/kit';

export type EntitlementAction = 'read' | 'manage';

/** Entitlements are finance's assets: everyone who may read sees those of their scope; finance changes them. */
export function canOnEntitlement(actor: Actor, action: EntitlementAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'manage':
      return can(actor, Permission.MANAGE_FINANCE);
  }
}
