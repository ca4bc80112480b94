import { can, Permission, type Actor } from '@genuine/kit';

/** The audit trail is for those who may read history; a scoped reader sees the events touching their subtree. */
export function canReadHistory(actor: Actor): boolean {
  return can(actor, Permission.READ_HISTORY);
}
