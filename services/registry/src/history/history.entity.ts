import { Entity, OptionalProps, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** Append-only record of every mutation: who did what to which entity, before and after, under which request. */
@Entity({ tableName: 'audit_event' })
@Index({ name: 'audit_event_entity_idx', properties: ['entityId', 'id'] })
@Index({ name: 'audit_event_org_units_idx', expression: 'create index "audit_event_org_units_idx" on "registry"."audit_event" using gin ("org_unit_ids")' })
export class AuditEvent {
  [OptionalProps]?: 'occurredAt' | 'before' | 'after' | 'orgUnitIds';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  occurredAt: Date = new Date();

  @Property({ type: 'string', length: 100 })
  actorId!: string;

  @Property({ type: 'string', length: 32 })
  actorRole!: string;

  /** `entity.verb`, e.g. `machine.register`. */
  @Property({ type: 'string', length: 64 })
  action!: string;

  @Property({ type: 'string', length: 64 })
  entity!: string;

  @Property({ type: 'uuid' })
  entityId!: string;

  @Property({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null = null;

  @Property({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null = null;

  @Property({ type: 'string', length: 128 })
  requestId!: string;

  /** Units the change touched; a scoped reader sees the events touching their subtree. Empty for catalogue data. */
  @Property({ type: 'string[]', columnType: 'uuid[]', defaultRaw: `'{}'` })
  orgUnitIds: string[] = [];
}

/**
 * Every registry change that can move compliance, appended in the same transaction as the change. The audit
 * service reads it through `registry_public.change_log` from its own watermark.
 */
@Entity({ tableName: 'change_log' })
export class ChangeLogEntry {
  [OptionalProps]?: 'occurredAt' | 'details' | 'txId';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  occurredAt: Date = new Date();

  /**
   * The writing transaction. Ids are taken at insert, not at commit, so a consumer only advances its watermark
   * past rows whose transaction is older than every transaction still running (`pg_snapshot_xmin`).
   */
  @Property({ type: 'string', columnType: 'xid8', defaultRaw: 'pg_current_xact_id()' })
  txId!: string;

  @Property({ type: 'string', length: 64 })
  entity!: string;

  @Property({ type: 'uuid' })
  entityId!: string;

  @Property({ type: 'string', length: 64 })
  action!: string;

  /** Units whose figures the change can move (e.g. both units of a machine move). */
  @Property({ type: 'uuid[]' })
  orgUnitIds!: string[];

  @Property({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null = null;
}
