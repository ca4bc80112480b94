import { Role, type Actor } from '@genuine/kit';

export type MachineAction = 'read' | 'register';

/** Asset managers and administrators register machines; agents do too, for the machines they report. */
export function canOnMachine(actor: Actor, action: MachineAction): boolean {
  switch (action) {
    case 'read':
      return actor.role !== Role.AGENT;
    case 'register':
      return actor.role === Role.ADMIN || actor.role === Role.ASSET_MANAGER || actor.role === Role.AGENT;
  }
}
