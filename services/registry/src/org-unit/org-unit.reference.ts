import type { RegistryContext } from '../context';
import { toOrgUnitType, type OrgUnitType } from './org-unit.type';

/** Resolves `OrgUnit` references from other subgraphs through the request's loader, within the caller's scope. */
export async function resolveOrgUnitReference(reference: { id: string }, ctx: RegistryContext): Promise<OrgUnitType | null> {
  const unit = await ctx.services.orgUnits.getById(ctx.actor, reference.id);
  return unit ? toOrgUnitType(unit) : null;
}
