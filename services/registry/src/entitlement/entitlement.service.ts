import { Allocation, AppError, badInput, conflict, EntitlementType, ErrorCode, forbidden, LicenseMetric, notFound, type Actor } from '@genuine/kit';
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

export interface BindOemCommand {
  entitlementId: string;
  machineId: string;
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

  /**
   * Binds an OEM license to the machine it came with (DESIGN rule 2d: it then covers that machine's installs of
   * the editions it covers). An OEM license belongs to one machine for its life: the entitlement must be of type
   * OEM, one PER_DEVICE ASSIGNED seat (a bulk OEM purchase is recorded as one line per machine), active, not
   * bound yet and without a seat assigned; the machine active and in the owning unit's subtree. Under the
   * entitlement's row lock, like every seat change; one audit event and one change-log row, so the compliance
   * engine re-evaluates the machine.
   */
  async bindOem(actor: Actor, command: BindOemCommand): Promise<EntitlementRecord> {
    if (!canOnEntitlement(actor, 'bindOem')) throw forbidden('Your role cannot bind OEM licenses to machines');
    const before = await this.require(actor, command.entitlementId);
    if (!isUuid(command.machineId)) throw notFound('Machine');
    return this.deps.em.transactional(async (tx) => {
      const repository = new EntitlementRepository(tx);
      const locked = await repository.lockForBinding(before.id);
      if (!locked) throw notFound('Entitlement');
      const [machine] = await repository.machinesForBinding([command.machineId]);
      // Scope is checked on the transaction's own connection: a lookup on another one would wait behind this
      // transaction on a single-session database (the embedded PGlite) until the request timed out.
      if (!machine || (actor.scopeUnitId !== null && !(await repository.isUnder(machine.orgUnitId, actor.scopeUnitId)))) throw notFound('Machine');
      if (locked.type !== EntitlementType.OEM) throw badInput(`Only an OEM entitlement is bound to a machine; this one is ${locked.type}`, { field: 'entitlementId' });
      if (locked.quantity !== 1 || locked.metric !== LicenseMetric.PER_DEVICE || locked.allocation !== Allocation.ASSIGNED) {
        throw badInput(
          `An OEM license is one PER_DEVICE ASSIGNED seat for one machine; this entitlement has ${locked.quantity} ${locked.metric} ${locked.allocation} seat(s) (record one purchase line of quantity 1 per machine)`,
          { field: 'entitlementId' },
        );
      }
      if (locked.retired) throw conflict('The entitlement is retired');
      if (locked.expired) throw conflict('The entitlement has expired');
      if (locked.oemMachineId === machine.id) throw conflict('The entitlement is already bound to this machine');
      if (locked.oemMachineId !== null) throw conflict('The entitlement is bound to another machine; unbind it first');
      if (locked.activeSeats > 0) throw new AppError(ErrorCode.SEAT_LIMIT_EXCEEDED, 'The seat of this OEM license is assigned; revoke that assignment first');
      if (machine.status === 'RETIRED') throw conflict('The machine is retired');
      if (!(await repository.isUnder(machine.orgUnitId, locked.orgUnitId))) {
        throw badInput('The machine is outside the subtree of the unit that owns the entitlement', { field: 'machineId' });
      }
      await repository.setOemMachine(before.id, machine.id);
      const [after] = await repository.findByIds([before.id]);
      const units = distinct([locked.orgUnitId, machine.orgUnitId]);
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, { action: 'entitlement.bind_oem', entity: 'entitlement', entityId: before.id, before: { ...before }, after: { ...after }, orgUnitIds: units });
      await history.appendChange({ entity: 'entitlement', entityId: before.id, action: 'bind_oem', orgUnitIds: units, details: { machineId: machine.id } });
      return after;
    });
  }

  /**
   * Releases an OEM license from its machine (a binding recorded by mistake): it covers nothing until it is bound
   * again. The machine may have moved out of the caller's scope since; the entitlement is what changes.
   */
  async unbindOem(actor: Actor, entitlementId: string): Promise<EntitlementRecord> {
    if (!canOnEntitlement(actor, 'bindOem')) throw forbidden('Your role cannot unbind OEM licenses');
    const before = await this.require(actor, entitlementId);
    return this.deps.em.transactional(async (tx) => {
      const repository = new EntitlementRepository(tx);
      const locked = await repository.lockForBinding(before.id);
      if (!locked) throw notFound('Entitlement');
      if (locked.oemMachineId === null) throw conflict('The entitlement is not bound to a machine');
      const [machine] = await repository.machinesForBinding([locked.oemMachineId]);
      await repository.setOemMachine(before.id, null);
      const [after] = await repository.findByIds([before.id]);
      const units = distinct([locked.orgUnitId, ...(machine ? [machine.orgUnitId] : [])]);
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, { action: 'entitlement.unbind_oem', entity: 'entitlement', entityId: before.id, before: { ...before }, after: { ...after }, orgUnitIds: units });
      await history.appendChange({ entity: 'entitlement', entityId: before.id, action: 'unbind_oem', orgUnitIds: units, details: { machineId: locked.oemMachineId } });
      return after;
    });
  }
}
