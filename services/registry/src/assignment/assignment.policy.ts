import { can, Permission, type Actor } from '@genuine/kit';

export type AssignmentAction = 'read' | 'manage';

/** Asset managers assign and revoke seats within their scope; everyone who may read sees them. */
export function canOnAssignment(actor: Actor, action: AssignmentAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'manage':
      return can(actor, Permission.MANAGE_ASSIGNMENTS);
  }
}
