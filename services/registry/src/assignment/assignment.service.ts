import { AppError, badInput, conflict, ErrorCode, forbidden, isUniqueViolation, LicenseMetric, notFound, Allocation, type Actor } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntitlementService } from '../entitlement/entitlement.service';
import type { EntitlementRecord } from '../entitlement/entitlement.repository';
import { HistoryRepository } from '../history/history.repository';
import { isUuid } from '../ids';
import type { MachineService } from '../machine/machine.service';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import type { PersonService } from '../person/person.service';
import type { AssignmentLoaders } from './assignment.loader';
import { canOnAssignment } from './assignment.policy';
import { AssignmentRepository, type AssignmentRecord, type LockedEntitlement } from './assignment.repository';

export interface AssignCommand {
  entitlementId: string;
  machineId?: string | null;
  personId?: string | null;
}

export interface BulkAssignCommand {
  entitlementId: string;
  /** Root of the machines to equip; the entitlement's owning unit when omitted. */
  orgUnitCode?: string | null;
  /** At most this many new seats; every free seat when omitted. */
  limit?: number | null;
}

/** Metrics whose seats a machine holds; PER_USER seats are held by people; SITE entitlements have no seats. */
const machineMetrics = new Set<string>([LicenseMetric.PER_DEVICE, LicenseMetric.CONCURRENT, LicenseMetric.PER_CORE]);

const seatLimit = (quantity: number) =>
  new AppError(ErrorCode.SEAT_LIMIT_EXCEEDED, `Every seat of this entitlement is taken (${quantity} of ${quantity})`);

/**
 * Seats. Every seat change of an entitlement runs under a row lock on the entitlement (`SELECT … FOR UPDATE`)
 * and counts the active seats after taking it, so concurrent requests queue and the count never overshoots the
 * quantity; a partial unique index refuses a second active seat for the same holder.
 */
export class AssignmentService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: AssignmentLoaders,
    private readonly services: { orgUnits: OrgUnitService; entitlements: EntitlementService; machines: MachineService; people: PersonService },
  ) {}

  /** A seat the caller may see: its entitlement's owner or its holder's unit lies in scope. */
  async getById(actor: Actor, id: string): Promise<AssignmentRecord | null> {
    if (!canOnAssignment(actor, 'read') || !isUuid(id)) return null;
    const assignment = await this.loaders.byId.load(id);
    if (!assignment) return null;
    if (await this.services.entitlements.getById(actor, assignment.entitlementId)) return assignment;
    const holder = assignment.machineId
      ? await this.services.machines.getById(actor, assignment.machineId)
      : await this.services.people.getById(actor, assignment.personId ?? '');
    return holder ? assignment : null;
  }

  async ofMachine(actor: Actor, machineId: string, includeRevoked: boolean): Promise<AssignmentRecord[]> {
    if (!canOnAssignment(actor, 'read')) return [];
    return (includeRevoked ? this.loaders.allOfMachine : this.loaders.activeOfMachine).load(machineId);
  }

  async ofPerson(actor: Actor, personId: string, includeRevoked: boolean): Promise<AssignmentRecord[]> {
    if (!canOnAssignment(actor, 'read')) return [];
    return (includeRevoked ? this.loaders.allOfPerson : this.loaders.activeOfPerson).load(personId);
  }

  async assignedSeats(entitlement: EntitlementRecord): Promise<number> {
    return this.loaders.countOfEntitlement(false).load(entitlement.id);
  }

  /** A page of an entitlement's seats, oldest first; first pages are batched across entitlements. */
  async ofEntitlement(actor: Actor, entitlement: EntitlementRecord, includeRevoked: boolean, first: number, after: [string, string] | null) {
    if (!canOnAssignment(actor, 'read')) throw forbidden();
    const rows = after
      ? await new AssignmentRepository(this.deps.em).pageOfEntitlements([entitlement.id], includeRevoked, after, first + 1)
      : await this.loaders.firstOfEntitlement({ includeRevoked, limit: first + 1 }).load(entitlement.id);
    return {
      items: rows.slice(0, first),
      hasNextPage: rows.length > first,
      totalCount: () => this.loaders.countOfEntitlement(includeRevoked).load(entitlement.id),
    };
  }

  /** Gives a machine (PER_DEVICE, CONCURRENT, PER_CORE) or a person (PER_USER) one seat of an entitlement. */
  async assign(actor: Actor, command: AssignCommand): Promise<AssignmentRecord> {
    if (!canOnAssignment(actor, 'manage')) throw forbidden('Your role cannot assign seats');
    if (!command.machineId === !command.personId) throw badInput('Give exactly one of machineId or personId');
    const entitlement = await this.services.entitlements.require(actor, command.entitlementId);
    const holder = command.machineId
      ? await this.services.machines.getById(actor, command.machineId)
      : await this.services.people.getById(actor, command.personId ?? '');
    if (!holder) throw notFound(command.machineId ? 'Machine' : 'Person');
    if (command.machineId && !machineMetrics.has(entitlement.metric)) {
      throw badInput(`A ${entitlement.metric} entitlement cannot be assigned to a machine${entitlement.metric === LicenseMetric.PER_USER ? '; assign it to a person' : ''}`);
    }
    if (command.personId && entitlement.metric !== LicenseMetric.PER_USER) throw badInput('Only PER_USER entitlements are assigned to people');
    if ('status' in holder && holder.status === 'RETIRED') throw conflict('The machine is retired');
    return this.deps.em.transactional(async (tx) => {
      const seats = new AssignmentRepository(tx);
      const locked = await seats.lockEntitlement(entitlement.id);
      if (!locked) throw notFound('Entitlement');
      this.assertAssignable(locked);
      if (!(await this.isUnder(tx, holder.orgUnitId, locked.orgUnitId))) {
        throw badInput('The holder is outside the subtree of the unit that owns the entitlement');
      }
      // A bound OEM license's seat is its machine's: it counts as taken.
      if ((await seats.countActive(locked.id)) + (locked.oemBound ? 1 : 0) >= locked.quantity) throw seatLimit(locked.quantity);
      const assignment = await seats
        .insert(locked.id, { machineId: command.machineId ?? null, personId: command.personId ?? null }, actor.id)
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? conflict('This holder already has a seat of this entitlement') : err;
        });
      const units = [locked.orgUnitId, holder.orgUnitId];
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, { action: 'assignment.create', entity: 'assignment', entityId: assignment.id, after: { ...assignment }, orgUnitIds: units });
      await history.appendChange({ entity: 'assignment', entityId: assignment.id, action: 'create', orgUnitIds: units, details: { entitlementId: locked.id } });
      return assignment;
    });
  }

  /** Revokes a seat; the row stays with `revokedAt`, and the seat is free again. */
  async revoke(actor: Actor, assignmentId: string): Promise<AssignmentRecord> {
    if (!canOnAssignment(actor, 'manage')) throw forbidden('Your role cannot revoke seats');
    const assignment = await this.getById(actor, assignmentId);
    if (!assignment) throw notFound('Assignment');
    return this.deps.em.transactional(async (tx) => {
      const seats = new AssignmentRepository(tx);
      const locked = await seats.lockEntitlement(assignment.entitlementId);
      const revoked = await seats.revoke(assignment.id, actor.id);
      if (!revoked) throw conflict('The assignment is already revoked');
      const holderUnits = await seats.holderUnits(revoked.machineId ? [revoked.machineId] : [], revoked.personId ? [revoked.personId] : []);
      const units = [locked?.orgUnitId ?? '', ...holderUnits.values()].filter(Boolean);
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, { action: 'assignment.revoke', entity: 'assignment', entityId: revoked.id, before: { ...assignment }, after: { ...revoked }, orgUnitIds: units });
      await history.appendChange({ entity: 'assignment', entityId: revoked.id, action: 'revoke', orgUnitIds: units, details: { entitlementId: revoked.entitlementId } });
      return revoked;
    });
  }

  /**
   * Gives a seat to every active machine of a subtree that holds no seat of the entitlement's product, by
   * hostname, as far as free seats go; one statement finds them and one inserts them, under the row lock.
   */
  async assignToSubtree(actor: Actor, command: BulkAssignCommand): Promise<{ assigned: AssignmentRecord[]; stillLacking: number }> {
    if (!canOnAssignment(actor, 'manage')) throw forbidden('Your role cannot assign seats');
    const entitlement = await this.services.entitlements.require(actor, command.entitlementId);
    if (!machineMetrics.has(entitlement.metric)) throw badInput(`A ${entitlement.metric} entitlement cannot be assigned to machines`);
    const root = command.orgUnitCode ? await this.services.orgUnits.getByCode(actor, command.orgUnitCode) : { id: entitlement.orgUnitId };
    return this.deps.em.transactional(async (tx) => {
      const seats = new AssignmentRepository(tx);
      const locked = await seats.lockEntitlement(entitlement.id);
      if (!locked) throw notFound('Entitlement');
      this.assertAssignable(locked);
      if (!(await this.isUnder(tx, root.id, locked.orgUnitId))) throw badInput('The unit is outside the subtree of the unit that owns the entitlement');
      const [{ productId }] = await tx.execute<Array<{ productId: string }>>(`select product_id as "productId" from registry.edition where id = ?`, [locked.editionId]);
      const free = locked.quantity - (await seats.countActive(locked.id));
      const wanted = Math.min(free, command.limit ?? free);
      const machineIds = wanted > 0 ? await seats.machinesLackingProduct(root.id, productId, wanted) : [];
      const assigned = await seats.insertForMachines(locked.id, machineIds, actor.id);
      const stillLacking = (await seats.machinesLackingProduct(root.id, productId, null)).length;
      if (assigned.length > 0) {
        const history = new HistoryRepository(tx);
        await history.recordEvents(
          actor,
          this.deps.requestId,
          assigned.map((a) => ({ action: 'assignment.create', entity: 'assignment', entityId: a.id, after: { ...a }, orgUnitIds: [locked.orgUnitId, root.id] })),
        );
        await history.appendChange({ entity: 'entitlement', entityId: locked.id, action: 'bulk_assign', orgUnitIds: [locked.orgUnitId, root.id], details: { assigned: assigned.length } });
      }
      return { assigned, stillLacking };
    });
  }

  private assertAssignable(entitlement: LockedEntitlement): void {
    if (entitlement.retired) throw conflict('The entitlement is retired; its seats cannot be assigned');
    if (entitlement.expired) throw conflict('The entitlement has expired; its seats cannot be assigned');
    if (entitlement.allocation === Allocation.POOLED) throw badInput('POOLED seats are consumed automatically and cannot be assigned');
    if (entitlement.metric === LicenseMetric.SITE) throw badInput('A SITE entitlement covers its whole subtree and has no seats to assign');
  }

  private async isUnder(tx: EntityManager, unitId: string, ancestorId: string): Promise<boolean> {
    const rows = await tx.execute(`select 1 from registry.org_unit_closure where ancestor_id = ? and descendant_id = ?`, [ancestorId, unitId]);
    return rows.length > 0;
  }
}
