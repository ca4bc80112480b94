import { isoTime } from '../sql';
import { advisoryLockKey, sqlArray } from '@genuine/kit';
import type { Actor } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface AuditEventInput {
  action: string;
  entity: string;
  entityId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Units the change touched, so scoped readers of the event log see it; none for catalogue data. */
  orgUnitIds?: readonly string[];
}

export interface ChangeInput {
  entity: string;
  entityId: string;
  action: string;
  orgUnitIds: string[];
  details?: Record<string, unknown> | null;
}

export interface AuditEventRecord {
  id: string;
  occurredAt: string;
  actorId: string;
  actorRole: string;
  action: string;
  entity: string;
  entityId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string;
  orgUnitIds: string[];
}

export interface AuditEventQuery {
  /** Only events touching this subtree (or catalogue events, which touch no unit); null for everything. */
  scopeUnitId: string | null;
  /** Only events touching this subtree. */
  orgUnitId: string | null;
  entity: string | null;
  entityId: string | null;
  action: string | null;
  actorId: string | null;
  from: Date | null;
  to: Date | null;
}

/** The channel the audit service listens on; the change log itself is the source of truth. */
export const CHANGE_CHANNEL = 'genuine_registry_change';
/** Serializes change-log appends so ids follow commit order (see appendChanges). */
export const CHANGE_LOG_LOCK = 'registry:change_log';

const eventColumns = `id::text as id, ${isoTime('occurred_at')} as "occurredAt", actor_id as "actorId", actor_role as "actorRole", action, entity,
  entity_id as "entityId", before, after, request_id as "requestId", org_unit_ids::text[] as "orgUnitIds"`;

function eventWhere(q: AuditEventQuery): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.scopeUnitId !== null) {
    // Events touching no unit are the shared catalogue's, except those of organisation-wide API tokens.
    clauses.push(`((cardinality(e.org_unit_ids) = 0 and e.entity <> 'api_token') or e.org_unit_ids && array(select descendant_id from registry.org_unit_closure where ancestor_id = ?))`);
    params.push(q.scopeUnitId);
  }
  if (q.orgUnitId !== null) {
    clauses.push(`e.org_unit_ids && array(select descendant_id from registry.org_unit_closure where ancestor_id = ?)`);
    params.push(q.orgUnitId);
  }
  for (const [column, value] of [
    ['e.entity', q.entity],
    ['e.action', q.action],
    ['e.actor_id', q.actorId],
  ] as const) {
    if (value !== null) {
      clauses.push(`${column} = ?`);
      params.push(value);
    }
  }
  if (q.entityId !== null) {
    clauses.push(`e.entity_id = ?::uuid`);
    params.push(q.entityId);
  }
  if (q.from !== null) {
    clauses.push(`e.occurred_at >= ?`);
    params.push(q.from);
  }
  if (q.to !== null) {
    clauses.push(`e.occurred_at < ?`);
    params.push(q.to);
  }
  return { sql: clauses.length ? clauses.join(' and ') : 'true', params };
}

/**
 * Writes the audit trail and the change log, and reads the trail back. Writers are called with the mutation's
 * own transaction, so they commit or roll back together with the change they describe.
 */
export class HistoryRepository {
  constructor(private readonly em: EntityManager) {}

  async recordEvent(actor: Actor, requestId: string, event: AuditEventInput): Promise<void> {
    await this.recordEvents(actor, requestId, [event]);
  }

  /** Many events in one statement (bulk mutations). */
  async recordEvents(actor: Actor, requestId: string, events: readonly AuditEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await this.em.execute(
      `insert into registry.audit_event (actor_id, actor_role, action, entity, entity_id, before, after, request_id, org_unit_ids)
       select ?, ?, x.action, x.entity, x.entity_id, x.before, x.after, ?, coalesce(x.org_unit_ids, '{}')
         from jsonb_to_recordset(?::jsonb) as x(action text, entity text, entity_id uuid, before jsonb, after jsonb, org_unit_ids uuid[], ord int)
        order by x.ord`,
      [
        actor.id,
        actor.role,
        requestId,
        JSON.stringify(
          events.map((e, ord) => ({
            ord,
            action: e.action,
            entity: e.entity,
            entity_id: e.entityId,
            before: e.before ?? null,
            after: e.after ?? null,
            org_unit_ids: [...new Set(e.orgUnitIds ?? [])],
          })),
        ),
      ],
    );
  }

  async appendChange(change: ChangeInput): Promise<void> {
    await this.appendChanges([change]);
  }

  /**
   * Many change-log rows in one statement, then one notification. The transaction first takes the change log's
   * advisory lock, held until it commits, so change-log ids are handed out in commit order: a consumer that has
   * read up to id N will never see a row below N appear later. The lock is taken as the last step of a mutation,
   * so writers wait for each other only for their commit.
   */
  async appendChanges(changes: readonly ChangeInput[]): Promise<void> {
    if (changes.length === 0) return;
    await this.em.execute(`select pg_advisory_xact_lock(?::bigint)`, [advisoryLockKey(CHANGE_LOG_LOCK)]);
    if (changes.length === 1) {
      const [change] = changes;
      await this.em.execute(
        `insert into registry.change_log (entity, entity_id, action, org_unit_ids, details) values (?, ?, ?, ?::text[], ?::jsonb)`,
        [change.entity, change.entityId, change.action, sqlArray([...new Set(change.orgUnitIds)]), change.details ? JSON.stringify(change.details) : null],
      );
    } else {
      await this.em.execute(
        `insert into registry.change_log (entity, entity_id, action, org_unit_ids, details)
         select x.entity, x.entity_id, x.action, x.org_unit_ids, x.details
           from jsonb_to_recordset(?::jsonb) as x(entity text, entity_id uuid, action text, org_unit_ids text[], details jsonb, ord int)
          order by x.ord`,
        [
          JSON.stringify(
            changes.map((c, ord) => ({ ord, entity: c.entity, entity_id: c.entityId, action: c.action, org_unit_ids: [...new Set(c.orgUnitIds)], details: c.details ?? null })),
          ),
        ],
      );
    }
    // Delivered at commit, never for a rolled-back change; consumers fall back to polling if they miss it.
    await this.em.execute(`select pg_notify(?, ?)`, [CHANGE_CHANNEL, changes[0].entity]);
  }

  /** Events newest first, keyset-paged by id. */
  async listEvents(q: AuditEventQuery, afterId: string | null, limit: number): Promise<AuditEventRecord[]> {
    const where = eventWhere(q);
    return this.em.execute<AuditEventRecord[]>(
      `select ${eventColumns} from registry.audit_event e where ${where.sql} ${afterId !== null ? 'and e.id < ?::bigint' : ''}
        order by e.id desc limit ?`,
      [...where.params, ...(afterId !== null ? [afterId] : []), limit],
    );
  }

  async countEvents(q: AuditEventQuery): Promise<number> {
    const where = eventWhere(q);
    const [row] = await this.em.execute<Array<{ n: string }>>(`select count(*) as n from registry.audit_event e where ${where.sql}`, where.params);
    return Number(row.n);
  }
}
