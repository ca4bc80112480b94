import { can, forbidden, notFound, Permission, type Actor } from '@genuine/kit';
import type DataLoader from 'dataloader';
import type { ScopeRepository } from '../scope/scope.repository';

/**
 * `Query.orgUnit` as the audit subgraph answers it. The field is shared with the registry (`@shareable`), so that
 * a question only about a unit's audit figures (`orgUnit(code) { compliance }`) is one subgraph's to answer and
 * skips the registry hop; the two must therefore behave alike, rule for rule: READ permission or FORBIDDEN, then
 * the unit inside the caller's scope or NOT_FOUND with the registry's message (test/org-unit-shared.e2e.test.ts).
 */
export class OrgUnitService {
  constructor(
    private readonly scope: ScopeRepository,
    /** The request's scope loader for units, told about the unit found so its figures need no second check. */
    private readonly unitInScope: DataLoader<string, boolean>,
  ) {}

  async getByCode(actor: Actor, code: string): Promise<{ id: string }> {
    if (!can(actor, Permission.READ)) throw forbidden();
    const unit = await this.scope.unitByCode(actor.scopeUnitId, code);
    if (!unit) throw notFound(`Org unit ${code}`);
    this.unitInScope.prime(unit.id, true);
    return { id: unit.id };
  }
}
