import { can, Permission, type Actor } from '@genuine/kit';

export type CatalogueAction = 'read' | 'manage';

/**
 * The catalogue is shared by every unit: anyone who may read sees all of it. Its editions' prices and coverage move
 * every unit's figures, so changing it takes MANAGE_CATALOGUE and a token that is not limited to a subtree.
 */
export function canOnCatalogue(actor: Actor, action: CatalogueAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'manage':
      return can(actor, Permission.MANAGE_CATALOGUE) && actor.scopeUnitId === null;
  }
}
