import { can, Permission, type Actor } from '@genuine/kit';

export type ComplianceAction = 'read' | 'recompute';

/** Figures are read by every human role within scope; a full recompute is maintenance (ADMIN). */
export function canOnCompliance(actor: Actor, action: ComplianceAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'recompute':
      return can(actor, Permission.ADMINISTER) && actor.scopeUnitId === null;
  }
}
