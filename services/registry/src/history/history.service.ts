import { badInput, forbidden, type Actor } from '@genuine/kit';
import { isUuid } from '../ids';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import { canReadHistory } from './history.policy';
import { HistoryRepository, type AuditEventQuery } from './history.repository';

export interface AuditEventFilterInput {
  entity?: string | null;
  entityId?: string | null;
  action?: string | null;
  actorId?: string | null;
  orgUnitCode?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Reads the append-only audit trail, newest first, limited to the events touching the caller's scope. */
export class HistoryService {
  private readonly repository: HistoryRepository;

  constructor(
    deps: ServiceDeps,
    private readonly orgUnits: OrgUnitService,
  ) {
    this.repository = new HistoryRepository(deps.em);
  }

  async events(actor: Actor, filter: AuditEventFilterInput, first: number, after: string | null) {
    if (!canReadHistory(actor)) throw forbidden('Your role cannot read the history');
    if (filter.entityId && !isUuid(filter.entityId)) throw badInput('entityId is not a valid id');
    if (after !== null && !/^\d{1,19}$/.test(after)) throw badInput('after is not a valid cursor');
    const query: AuditEventQuery = {
      scopeUnitId: actor.scopeUnitId,
      orgUnitId: filter.orgUnitCode ? (await this.orgUnits.getByCode(actor, filter.orgUnitCode)).id : null,
      entity: filter.entity ?? null,
      entityId: filter.entityId ?? null,
      action: filter.action ?? null,
      actorId: filter.actorId ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
    };
    const rows = await this.repository.listEvents(query, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countEvents(query) };
  }
}
