import { can, Permission, type Actor } from '@genuine/kit';

/** Tokens are managed by administrators, and only for scopes inside their own (checked by the service). */
export function canManageApiTokens(actor: Actor): boolean {
  return can(actor, Permission.MANAGE_TOKENS);
}
