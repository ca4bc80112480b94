import { can, Permission, type Actor } from '@genuine/kit';

export type EntitlementAction = 'read' | 'manage' | 'bindOem';

/**
 * Entitlements are finance's assets: everyone who may read sees those of their scope; finance changes them.
 * Binding an OEM license to the machine it came with is the asset managers' work, like giving a seat to a machine
 * (MANAGE_ASSIGNMENTS): the binding is that license's one seat.
 */
export function canOnEntitlement(actor: Actor, action: EntitlementAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'manage':
      return can(actor, Permission.MANAGE_FINANCE);
    case 'bindOem':
      return can(actor, Permission.MANAGE_ASSIGNMENTS);
  }
}
