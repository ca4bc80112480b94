import { can, Permission, type Actor } from '@genuine/kit';

export type NormalizationAction = 'read' | 'manage';

/**
 * Everyone who may read may see the rules and ask what they make of a title. Rules apply to the whole
 * organisation, so changing them takes MANAGE_NORMALIZATION and a token that is not limited to a subtree.
 */
export function canOnNormalization(actor: Actor, action: NormalizationAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'manage':
      return can(actor, Permission.MANAGE_NORMALIZATION) && actor.scopeUnitId === null;
  }
}
