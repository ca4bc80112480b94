import { badInput, conflict, forbidden, isUniqueViolation, type Actor, type MachineKind } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HistoryRepository } from '../history/history.repository';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import { OrgUnitRepository, type OrgUnitRecord } from '../org-unit/org-unit.repository';
import { Machine } from './machine.entity';
import type { MachineLoaders } from './machine.loader';
import { canOnMachine } from './machine.policy';
import { MachineRepository, type MachineCursor, type MachineRecord } from './machine.repository';

export interface RegisterMachineCommand {
  orgUnitCode: string;
  hostname?: string | null;
  serialNumber?: string | null;
  uuid?: string | null;
  kind: MachineKind;
  operator?: string | null;
  assetTag?: string | null;
}

export interface MachineFilterInput {
  orgUnitCode?: string | null;
  includeDescendants?: boolean | null;
  search?: string | null;
}

const identityFields = ['uuid', 'serialNumber', 'hostname', 'operator', 'assetTag'] as const;

/** Machines as hardware assets: registration (idempotent on identity), listing within scope. */
export class MachineService {
  private readonly repository: MachineRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: MachineLoaders,
    private readonly orgUnits: OrgUnitService,
  ) {
    this.repository = new MachineRepository(deps.em);
  }

  async getById(actor: Actor, id: string): Promise<MachineRecord | null> {
    if (!canOnMachine(actor, 'read')) return null;
    const machine = await this.loaders.byId.load(id);
    return machine && (await this.orgUnits.getById(actor, machine.orgUnitId)) ? machine : null;
  }

  async list(actor: Actor, filter: MachineFilterInput, first: number, after: MachineCursor | null) {
    if (!canOnMachine(actor, 'read')) throw forbidden();
    const root = filter.orgUnitCode ? (await this.orgUnits.getByCode(actor, filter.orgUnitCode)).id : actor.scopeUnitId;
    const query = { rootUnitId: root, includeDescendants: filter.includeDescendants ?? true, search: filter.search?.trim() || null };
    const rows = await this.repository.list({ ...query, after, limit: first + 1 });
    return {
      items: rows.slice(0, first),
      hasNextPage: rows.length > first,
      totalCount: () => this.repository.count(query),
    };
  }

  /** The first `first` machines of a unit itself (not its descendants), batched across units. */
  async firstOfUnit(actor: Actor, unit: OrgUnitRecord, first: number) {
    if (!canOnMachine(actor, 'read')) throw forbidden();
    const rows = await this.loaders.firstOfUnit(first + 1).load(unit.id);
    return {
      items: rows.slice(0, first),
      hasNextPage: rows.length > first,
      totalCount: () => this.loaders.countOfUnit.load(unit.id),
    };
  }

  /**
   * Registers a machine, or returns the one already known by uuid, serial or hostname within the unit, filling in
   * identifiers it lacked. Concurrent registrations of the same machine meet at the unique indexes.
   */
  async register(actor: Actor, command: RegisterMachineCommand): Promise<MachineRecord> {
    if (!canOnMachine(actor, 'register')) throw forbidden('Your role cannot register machines');
    if (!command.uuid && !command.serialNumber && !command.hostname) {
      throw badInput('A machine needs at least one of uuid, serialNumber or hostname');
    }
    const unit = await this.orgUnits.getByCode(actor, command.orgUnitCode);
    const attempt = () =>
      this.deps.em.transactional(async (tx) => {
        const repository = new MachineRepository(tx);
        const history = new HistoryRepository(tx);
        const existing = await repository.findByIdentity({ ...command, orgUnitId: unit.id });
        if (existing) return this.fillIdentity(actor, existing, command, tx);
        const machine = tx.create(Machine, {
          orgUnit: unit.id,
          hostname: command.hostname ?? null,
          serialNumber: command.serialNumber ?? null,
          uuid: command.uuid ?? null,
          kind: command.kind,
          operator: command.operator ?? null,
          assetTag: command.assetTag ?? null,
        });
        await tx.flush();
        const [record] = await repository.findByIds([machine.id]);
        await history.recordEvent(actor, this.deps.requestId, { action: 'machine.register', entity: 'machine', entityId: machine.id, after: { ...record } });
        await history.appendChange({ entity: 'machine', entityId: machine.id, action: 'register', orgUnitIds: [unit.id] });
        return record;
      });
    try {
      return await attempt();
    } catch (err) {
      // Another request registered the same machine between our lookup and insert: it now exists, so return it.
      if (isUniqueViolation(err)) return attempt();
      throw err;
    }
  }

  private async fillIdentity(
    actor: Actor,
    existing: MachineRecord,
    command: RegisterMachineCommand,
    tx: EntityManager,
  ): Promise<MachineRecord> {
    // Inside the transaction only the transaction's connection may be used: request loaders would take a
    // second pooled connection and can deadlock the pool under concurrent registrations.
    const inScope = await new OrgUnitRepository(tx).filterInScope(actor.scopeUnitId, [existing.orgUnitId]);
    if (!inScope.has(existing.orgUnitId)) {
      throw conflict('A machine with this identity is registered in a unit outside your scope');
    }
    const changes: Partial<Record<(typeof identityFields)[number], string>> = {};
    for (const field of identityFields) {
      const value = command[field];
      if (value && existing[field] === null) changes[field] = value;
    }
    if (Object.keys(changes).length === 0) return existing;
    const repository = new MachineRepository(tx);
    const history = new HistoryRepository(tx);
    await tx.nativeUpdate(Machine, { id: existing.id }, { ...changes, updatedAt: new Date() });
    const [after] = await repository.findByIds([existing.id]);
    await history.recordEvent(actor, this.deps.requestId, { action: 'machine.update', entity: 'machine', entityId: existing.id, before: { ...existing }, after: { ...after } });
    return after;
  }
}
