import { AppError, badInput, conflict, ErrorCode, forbidden, notFound, type Actor } from '@genuine/kit';
import { AssignmentRepository } from '../assignment/assignment.repository';
import { HistoryRepository } from '../history/history.repository';
import { distinct, isUuid } from '../ids';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import type { EntitlementLoaders } from './entitlement.loader';
import { canOnEntitlement } from './entitlement.policy';
import { EntitlementRepository, type EntitlementCursor, type EntitlementRecord } from './entitlement.repository';

export interface EntitlementFilterInput {
  orgUnitCode?: string | null;
  includeDescendants?: boolean | null;
  editionId?: string | null;
  productId?: string | null;
  activeOn?: string | null;
  includeRetired?: boolean | null;
  assetTag?: string | null;
}

export interface UpdateEntitlementCommand {
  id: string;
  quantity?: number | null;
  validUntil?: string | null;
  clearValidUntil?: boolean | null;
  assetTag?: string | null;
}

/** Entitlements as departmental assets: reads within scope; changes, retirement and transfers by finance. */
export class EntitlementService {
  private readonly repository: EntitlementRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: EntitlementLoaders,
    private readonly orgUnits: OrgUnitService,
  ) {
    this.repository = new EntitlementRepository(deps.em);
  }

  /** An entitlement whose owning unit lies in the caller's scope, else null. */
  async getById(actor: Actor, id: string): Promise<EntitlementRecord | null> {
    if (!canOnEntitlement(actor, 'read') || !isUuid(id)) return null;
    const entitlement = await this.loaders.byId.load(id);
    return entitlement && (await this.orgUnits.getById(actor, entitlement.orgUnitId)) ? entitlement : null;
  }

  /** For single reads and writes: FORBIDDEN for a role that may not read, NOT_FOUND when missing or outside the scope. */
  async require(actor: Actor, id: string): Promise<EntitlementRecord> {
    if (!canOnEntitlement(actor, 'read')) throw forbidden();
    const entitlement = await this.getById(actor, id);
    if (!entitlement) throw notFound('Entitlement');
    return entitlement;
  }

  /** The lines of a purchase the caller may see (the purchase's unit is in scope, so are they unless transferred out). */
  async ofPurchase(actor: Actor, purchaseId: string): Promise<EntitlementRecord[]> {
    if (!canOnEntitlement(actor, 'read')) return [];
    const rows = await this.loaders.ofPurchase.load(purchaseId);
    const visible = await Promise.all(rows.map((r) => this.orgUnits.getById(actor, r.orgUnitId)));
    return rows.filter((_, i) => visible[i] !== null);
  }

  async list(actor: Actor, filter: EntitlementFilterInput, first: number, after: EntitlementCursor | null) {
    if (!canOnEntitlement(actor, 'read')) throw forbidden();
    for (const [name, value] of [['editionId', filter.editionId], ['productId', filter.productId]] as const) {
      if (value && !isUuid(value)) throw badInput(`${name} is not a valid id`);
    }
    const root = filter.orgUnitCode ? (await this.orgUnits.getByCode(actor, filter.orgUnitCode)).id : actor.scopeUnitId;
    const query = {
      rootUnitId: root,
      includeDescendants: filter.includeDescendants ?? true,
      editionId: filter.editionId ?? null,
      productId: filter.productId ?? null,
      activeOn: filter.activeOn ?? null,
      includeRetired: filter.includeRetired ?? false,
      assetTag: filter.assetTag ?? null,
    };
    const rows = await this.repository.list(query, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.count(query) };
  }

  /** Changes quantity, end of validity or asset tag; the quantity never drops below the seats in use. */
  async update(actor: Actor, command: UpdateEntitlementCommand): Promise<EntitlementRecord> {
    if (!canOnEntitlement(actor, 'manage')) throw forbidden('Your role cannot change entitlements');
    const before = await this.require(actor, command.id);
    if (command.validUntil && command.clearValidUntil) throw badInput('Give either validUntil or clearValidUntil, not both');
    return this.deps.em.transactional(async (tx) => {
      const seats = new AssignmentRepository(tx);
      const locked = await seats.lockEntitlement(before.id);
      if (!locked) throw notFound('Entitlement');
      if (command.quantity != null && command.quantity < (await seats.countActive(before.id))) {
        throw new AppError(ErrorCode.SEAT_LIMIT_EXCEEDED, 'The quantity cannot drop below the seats assigned; revoke seats first');
      }
      const validUntil = command.clearValidUntil ? null : (command.validUntil ?? before.validUntil);
      if (validUntil !== null && validUntil < before.validFrom) throw badInput('validUntil cannot be before validFrom');
      await tx.execute(
        `update registry.entitlement set quantity = coalesce(?, quantity), valid_until = ?::date, asset_tag = coalesce(?, asset_tag), updated_at = now() where id = ?`,
        [command.quantity ?? null, validUntil, command.assetTag ?? null, before.id],
      );
      const [after] = await new EntitlementRepository(tx).findByIds([before.id]);
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, { action: 'entitlement.update', entity: 'entitlement', entityId: before.id, before: { ...before }, after: { ...after }, orgUnitIds: [before.orgUnitId] });
      if (after.quantity !== before.quantity || after.validUntil !== before.validUntil) {
        await history.appendChange({ entity: 'entitlement', entityId: before.id, action: 'update', orgUnitIds: [before.orgUnitId] });
      }
      return after;
    });
  }

  /** Retires an entitlement: it covers nothing more, its seats are revoked, and the row stays for history. */
  async retire(actor: Actor, id: string): Promise<EntitlementRecord> {
    if (!canOnEntitlement(actor, 'manage')) throw forbidden('Your role cannot retire entitlements');
    const before = await this.require(actor, id);
    return this.deps.em.transactional(async (tx) => {
      const seats = new AssignmentRepository(tx);
      const locked = await seats.lockEntitlement(before.id);
      if (!locked) throw notFound('Entitlement');
      if (locked.retired) throw conflict('The entitlement is already retired');
      await tx.execute(`update registry.entitlement set retired_at = now(), updated_at = now() where id = ?`, [before.id]);
      const revoked = await seats.revokeOfEntitlement(before.id, actor.id);
      const [after] = await new EntitlementRepository(tx).findByIds([before.id]);
      const units = distinct([before.orgUnitId, ...revoked.map((r) => r.holderUnitId)]);
      const history = new HistoryRepository(tx);
      await history.recordEvents(actor, this.deps.requestId, [
        { action: 'entitlement.retire', entity: 'entitlement', entityId: before.id, before: { ...before }, after: { ...after }, orgUnitIds: [before.orgUnitId] },
        ...revoked.map(({ holderUnitId, ...a }) => ({ action: 'assignment.revoke', entity: 'assignment', entityId: a.id, after: { ...a }, orgUnitIds: [before.orgUnitId, holderUnitId] })),
      ]);
      await history.appendChange({ entity: 'entitlement', entityId: before.id, action: 'retire', orgUnitIds: units });
      return after;
    });
  }

  /**
   * Hands an entitlement to another unit (both in the caller's scope). Seats held outside the new owner's subtree
   * are revoked; the audit trail keeps the old owner, so the history of the asset survives the transfer.
   */
  async transfer(actor: Actor, id: string, toOrgUnitCode: string): Promise<EntitlementRecord> {
    if (!canOnEntitlement(actor, 'manage')) throw forbidden('Your role cannot transfer entitlements');
    const before = await this.require(actor, id);
    const target = await this.orgUnits.getByCode(actor, toOrgUnitCode);
    if (target.id === before.orgUnitId) throw badInput('The entitlement already belongs to that unit');
    return this.deps.em.transactional(async (tx) => {
      const seats = new AssignmentRepository(tx);
      const locked = await seats.lockEntitlement(before.id);
      if (!locked || locked.orgUnitId !== before.orgUnitId) throw conflict('The entitlement changed meanwhile; try again');
      await tx.execute(`update registry.entitlement set org_unit_id = ?, updated_at = now() where id = ?`, [target.id, before.id]);
      const revoked = await seats.revokeOfEntitlement(before.id, actor.id, target.id);
      const [after] = await new EntitlementRepository(tx).findByIds([before.id]);
      const units = distinct([before.orgUnitId, target.id, ...revoked.map((r) => r.holderUnitId)]);
      const history = new HistoryRepository(tx);
      await history.recordEvents(actor, this.deps.requestId, [
        {
          action: 'entitlement.transfer',
          entity: 'entitlement',
          entityId: before.id,
          before: { ...before },
          after: { ...after, revokedAssignmentIds: revoked.map((r) => r.id) },
          orgUnitIds: [before.orgUnitId, target.id],
        },
        ...revoked.map(({ holderUnitId, ...a }) => ({ action: 'assignment.revoke', entity: 'assignment', entityId: a.id, after: { ...a }, orgUnitIds: [before.orgUnitId, holderUnitId] })),
      ]);
      await history.appendChange({ entity: 'entitlement', entityId: before.id, action: 'transfer', orgUnitIds: units, details: { from: before.orgUnitId, to: target.id } });
      return after;
    });
  }
}
