import { Role, type Actor } from './auth';

/**
 * What each role may do (README → Roles and permissions). Policies in the services ask `can(actor, permission)`
 * and then check the target lies inside the actor's org-unit scope; this table is the single place that decides
 * the first half.
 */
export const Permission = {
  /** Org units, machines, people, catalogue, entitlements, assignments, inventories, compliance figures. */
  READ: 'READ',
  /** The audit trail (history, event log). */
  READ_HISTORY: 'READ_HISTORY',
  /** License keys in full; everyone else who may READ sees them masked. */
  READ_LICENSE_KEYS: 'READ_LICENSE_KEYS',
  MANAGE_ORG_UNITS: 'MANAGE_ORG_UNITS',
  MANAGE_CATALOGUE: 'MANAGE_CATALOGUE',
  /** Purchases, entitlements, suppliers, transfers of entitlements between units, spend reports. */
  MANAGE_FINANCE: 'MANAGE_FINANCE',
  ADD_LICENSE_KEYS: 'ADD_LICENSE_KEYS',
  /** Register, move and retire machines; people. */
  MANAGE_MACHINES: 'MANAGE_MACHINES',
  /** Assign and revoke seats. */
  MANAGE_ASSIGNMENTS: 'MANAGE_ASSIGNMENTS',
  /** Send inventories (agents); includes registering the machines they report. */
  SUBMIT_INVENTORY: 'SUBMIT_INVENTORY',
  MANAGE_NORMALIZATION: 'MANAGE_NORMALIZATION',
  /** Campaigns, phases, spot checks, publishing rounds. */
  MANAGE_CAMPAIGNS: 'MANAGE_CAMPAIGNS',
  /** A unit's self-report in a campaign. */
  SUBMIT_SELF_REPORT: 'SUBMIT_SELF_REPORT',
  /** Full recomputes and other maintenance. */
  ADMINISTER: 'ADMINISTER',
  MANAGE_TOKENS: 'MANAGE_TOKENS',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

const P = Permission;
export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  [Role.ADMIN]: Object.values(P),
  [Role.ASSET_MANAGER]: [P.READ, P.READ_HISTORY, P.READ_LICENSE_KEYS, P.MANAGE_CATALOGUE, P.ADD_LICENSE_KEYS, P.MANAGE_MACHINES, P.MANAGE_ASSIGNMENTS, P.MANAGE_NORMALIZATION, P.SUBMIT_SELF_REPORT],
  [Role.FINANCE]: [P.READ, P.READ_HISTORY, P.MANAGE_FINANCE, P.ADD_LICENSE_KEYS],
  [Role.AUDITOR]: [P.READ, P.READ_HISTORY, P.MANAGE_CAMPAIGNS, P.SUBMIT_SELF_REPORT],
  [Role.VIEWER]: [P.READ],
  [Role.AGENT]: [P.SUBMIT_INVENTORY],
};

export function can(actor: Actor, permission: Permission): boolean {
  return rolePermissions[actor.role].includes(permission);
}
