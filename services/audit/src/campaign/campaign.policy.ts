import { can, Permission, type Actor } from '@genuine/kit';

export type CampaignAction = 'read' | 'manage' | 'submit' | 'submitOutsideSelfCheck';

/**
 * Campaigns are read by every human role; creating them, moving their phases, drawing spot checks, recording
 * findings and publishing rounds take MANAGE_CAMPAIGNS; a unit's self-report takes SUBMIT_SELF_REPORT, and outside
 * the SELF_CHECK phase (a late correction) MANAGE_CAMPAIGNS as well. Scope is checked by the service on the target.
 */
export function canOnCampaign(actor: Actor, action: CampaignAction): boolean {
  switch (action) {
    case 'read':
      return can(actor, Permission.READ);
    case 'manage':
      return can(actor, Permission.MANAGE_CAMPAIGNS);
    case 'submit':
      return can(actor, Permission.SUBMIT_SELF_REPORT);
    case 'submitOutsideSelfCheck':
      return can(actor, Permission.SUBMIT_SELF_REPORT) && can(actor, Permission.MANAGE_CAMPAIGNS);
  }
}
