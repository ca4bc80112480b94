import { sqlArray } from '@genuine/kit';
import type { Actor } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface AuditEventInput {
  action: string;
  entity: string;
  entityId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface ChangeInput {
  entity: string;
  entityId: string;
  action: string;
  orgUnitIds: string[];
  details?: Record<string, unknown> | null;
}

/** The channel the audit service listens on; the change log itself is the source of truth. */
export const CHANGE_CHANNEL = 'genuine_registry_change';

/**
 * Writes the audit trail and the change log. Both are called with the mutation's own transaction, so they
 * commit or roll back together with the change they describe.
 */
export class HistoryRepository {
  constructor(private readonly em: EntityManager) {}

  async recordEvent(actor: Actor, requestId: string, event: AuditEventInput): Promise<void> {
    await this.em.execute(
      `insert into registry.audit_event (actor_id, actor_role, action, entity, entity_id, before, after, request_id)
       values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)`,
      [
        actor.id,
        actor.role,
        event.action,
        event.entity,
        event.entityId,
        event.before ? JSON.stringify(event.before) : null,
        event.after ? JSON.stringify(event.after) : null,
        requestId,
      ],
    );
  }

  async appendChange(change: ChangeInput): Promise<void> {
    await this.em.execute(
      `insert into registry.change_log (entity, entity_id, action, org_unit_ids, details) values (?, ?, ?, ?::text[], ?::jsonb)`,
      [change.entity, change.entityId, change.action, sqlArray(change.orgUnitIds), change.details ? JSON.stringify(change.details) : null],
    );
    // Delivered at commit, never for a rolled-back change; consumers fall back to polling if they miss it.
    await this.em.execute(`select pg_notify(?, ?)`, [CHANGE_CHANNEL, change.entity]);
  }
}
