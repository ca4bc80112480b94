import { can, Permission, type Actor } from '@genuine/kit';

export type LicenseKeyAction = 'read-masked' | 'reveal' | 'add';

/** Every reader sees keys masked; only READ_LICENSE_KEYS (admins, asset managers) sees them whole, within scope. */
export function canOnLicenseKey(actor: Actor, action: LicenseKeyAction): boolean {
  switch (action) {
    case 'read-masked':
      return can(actor, Permission.READ);
    case 'reveal':
      return can(actor, Permission.READ_LICENSE_KEYS);
    case 'add':
      return can(actor, Permission.ADD_LICENSE_KEYS);
  }
}
