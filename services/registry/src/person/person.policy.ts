import { can, Permission, type Actor } from '@genuine/kit';

export type PersonAction = 'read' | 'manage';

/** People are managed with the machines they operate. */
export function canOnPerson(actor: Actor, action: PersonAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'manage':
      return can(actor, Permission.MANAGE_MACHINES);
  }
}
