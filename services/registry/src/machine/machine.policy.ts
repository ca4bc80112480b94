import { can, Permission, type Actor } from '@genuine/kit';

export type MachineAction = 'read' | 'register' | 'manage';

/** Asset managers register machines; agents do too, for the machines they report. */
export function canOnMachine(actor: Actor, action: MachineAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'register':
      return can(actor, Permission.MANAGE_MACHINES) || can(actor, Permission.SUBMIT_INVENTORY);
    case 'manage':
      return can(actor, Permission.MANAGE_MACHINES);
  }
}
