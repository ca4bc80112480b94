import { Role, type Actor } from '@genuine/kit';

export type OrgUnitAction = 'read' | 'create';

/**
 * Who may do what with org units. Reading is open to every role within scope; creating units is for
 * administrators, inside their own subtree (DESIGN → API conventions).
 */
export function canOnOrgUnit(actor: Actor, action: OrgUnitAction): boolean {
  switch (action) {
    case 'read':
      return actor.role !== Role.AGENT;
    case 'create':
      return actor.role === Role.ADMIN;
  }
}
