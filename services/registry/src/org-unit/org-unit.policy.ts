import { can, Permission, type Actor } from '@genuine/kit';

export type OrgUnitAction = 'read' | 'create';

/** Who may do what with org units; the target's scope is checked by the service. */
export function canOnOrgUnit(actor: Actor, action: OrgUnitAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'create':
      return can(actor, Permission.MANAGE_ORG_UNITS);
  }
}
