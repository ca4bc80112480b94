import { randomUUID } from 'node:crypto';
import { badInput, conflict, forbidden, isUniqueViolation, notFound, type Actor, type MachineKind } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AssignmentRepository } from '../assignment/assignment.repository';
import { HistoryRepository } from '../history/history.repository';
import { distinct, isUuid } from '../ids';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import { OrgUnitRepository, type OrgUnitRecord } from '../org-unit/org-unit.repository';
import type { MachineLoaders } from './machine.loader';
import { parseMachineCsv, type MachineCsvError } from './machine.import';
import { canOnMachine } from './machine.policy';
import { MachineRepository, type MachineBatchRow, type MachineCursor, type MachineRecord } from './machine.repository';

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
    if (!canOnMachine(actor, 'read') || !isUuid(id)) return null;
    const machine = await this.loaders.byId.load(id);
    return machine && (await this.orgUnits.getById(actor, machine.orgUnitId)) ? machine : null;
  }

  /** A machine for a single read: FORBIDDEN for a role that may not read, NOT_FOUND when missing or outside the scope. */
  async require(actor: Actor, id: string): Promise<MachineRecord> {
    if (!canOnMachine(actor, 'read')) throw forbidden();
    const machine = await this.getById(actor, id);
    if (!machine) throw notFound('Machine');
    return machine;
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
    const [machine] = await this.registerMany(actor, [command]);
    return machine;
  }

  /**
   * Registers up to 500 machines in one transaction and a fixed number of statements, returning them in input
   * order. Each is matched like `register` (known machines come back, with missing identifiers filled in); a
   * machine known in a unit outside the caller's scope is a CONFLICT. All or nothing.
   */
  async registerMany(actor: Actor, commands: readonly RegisterMachineCommand[]): Promise<MachineRecord[]> {
    if (!canOnMachine(actor, 'register')) throw forbidden('Your role cannot register machines');
    if (commands.length > MAX_BATCH) throw badInput(`At most ${MAX_BATCH} machines per call`);
    if (commands.length === 0) return [];
    const anonymous = commands.flatMap((c, i) => (!c.uuid && !c.serialNumber && !c.hostname ? [i] : []));
    if (anonymous.length > 0) {
      throw badInput('A machine needs at least one of uuid, serialNumber or hostname', { indexes: anonymous });
    }
    const units = await this.orgUnits.resolveCodes(actor, commands.map((c) => c.orgUnitCode));
    const rows: MachineBatchRow[] = commands.map((c, ord) => ({
      ord,
      orgUnitId: units.get(c.orgUnitCode) ?? '',
      uuid: c.uuid ?? null,
      serialNumber: c.serialNumber ?? null,
      hostname: c.hostname ?? null,
      kind: c.kind,
      operator: c.operator?.trim() || null,
      assetTag: c.assetTag ?? null,
    }));
    return retryOnRace(() => this.deps.em.transactional((tx) => this.registerRows(actor, tx, rows)));
  }

  /** The batch registration inside the caller's transaction (also used by the CSV import). */
  async registerRows(actor: Actor, tx: EntityManager, rows: readonly MachineBatchRow[]): Promise<MachineRecord[]> {
    const repository = new MachineRepository(tx);
    const matched = await repository.matchBatch(rows);
    const fresh = rows.filter((r) => !matched.has(r.ord)).map((r) => ({ ...r, id: randomUUID() }));
    const inserted = await repository.insertBatch(fresh);
    const final = inserted.size === fresh.length && matched.size === 0 ? new Map(fresh.map((r) => [r.ord, r.id])) : null;
    const resolved = final ?? new Map([...(await repository.matchBatch(rows))].map(([ord, m]) => [ord, m.id]));
    const missing = rows.filter((r) => !resolved.has(r.ord));
    if (missing.length > 0) throw new Error(`registration of ${missing.length} machine(s) found no machine afterwards`);

    const existingIds = distinct(rows.map((r) => resolved.get(r.ord) ?? '').filter((id) => !inserted.has(id)));
    const before = new Map((await repository.findByIds(existingIds)).map((m) => [m.id, m]));
    const outside = [...before.values()].map((m) => m.orgUnitId);
    const inScope = await new OrgUnitRepository(tx).filterInScope(actor.scopeUnitId, outside);
    if (outside.some((id) => !inScope.has(id))) {
      throw conflict('A machine with this identity is registered in a unit outside your scope');
    }
    const fills = new Map<string, MachineBatchRow & { id: string }>();
    for (const row of rows) {
      const id = resolved.get(row.ord) ?? '';
      if (before.has(id) && !fills.has(id)) fills.set(id, { ...row, id });
    }
    const filled = await repository.fillBatch([...fills.values()]);
    const touched = [...inserted, ...filled];
    await repository.linkOperators(touched);
    const after = new Map((await repository.findByIds(distinct(resolved.values()))).map((m) => [m.id, m]));

    const history = new HistoryRepository(tx);
    await history.recordEvents(actor, this.deps.requestId, [
      ...[...inserted].map((id) => ({ action: 'machine.register', entity: 'machine', entityId: id, after: { ...after.get(id) }, orgUnitIds: [after.get(id)?.orgUnitId ?? ''] })),
      ...[...filled].map((id) => ({
        action: 'machine.update',
        entity: 'machine',
        entityId: id,
        before: { ...before.get(id) },
        after: { ...after.get(id) },
        orgUnitIds: [after.get(id)?.orgUnitId ?? ''],
      })),
    ]);
    // A new machine, or a known one that gained an operator (PER_USER seats), can move compliance.
    const operatorGained = [...filled].filter((id) => before.get(id)?.operatorPersonId !== after.get(id)?.operatorPersonId);
    await history.appendChanges([
      ...[...inserted].map((id) => ({ entity: 'machine', entityId: id, action: 'register', orgUnitIds: [after.get(id)?.orgUnitId ?? ''] })),
      ...operatorGained.map((id) => ({ entity: 'machine', entityId: id, action: 'update', orgUnitIds: [after.get(id)?.orgUnitId ?? ''] })),
    ]);
    return rows.map((r) => {
      const machine = after.get(resolved.get(r.ord) ?? '');
      if (!machine) throw new Error('registered machine vanished');
      return machine;
    });
  }

  /**
   * Imports the self-check spreadsheet (CSV). Every bad line is reported with its reason; unless
   * `importValidRows` is set, one bad line means nothing is imported. The good lines are registered like
   * `registerMany` (idempotent), all in one transaction.
   */
  async importCsv(actor: Actor, csv: string, importValidRows: boolean): Promise<{ machines: MachineRecord[]; errors: MachineCsvError[]; lines: number[] }> {
    if (!canOnMachine(actor, 'manage')) throw forbidden('Your role cannot import machines');
    const parsed = parseMachineCsv(csv);
    const errors = [...parsed.errors];
    const codes = distinct(parsed.rows.map((r) => r.orgUnitCode));
    const units = await this.orgUnits.findCodesInScope(actor, codes);
    const rows = parsed.rows.filter((r) => {
      if (units.has(r.orgUnitCode)) return true;
      errors.push({ line: r.line, reason: `unknown org unit "${r.orgUnitCode}"` });
      return false;
    });
    errors.sort((a, b) => a.line - b.line);
    if ((errors.length > 0 && !importValidRows) || rows.length === 0) return { machines: [], errors, lines: [] };
    const batch: MachineBatchRow[] = rows.map((r, ord) => ({
      ord,
      orgUnitId: units.get(r.orgUnitCode) ?? '',
      uuid: null,
      serialNumber: r.serialNumber,
      hostname: r.hostname,
      kind: r.kind,
      operator: r.operator,
      assetTag: r.assetTag,
    }));
    const machines = await retryOnRace(() =>
      this.deps.em.transactional(async (tx) => {
        const out: MachineRecord[] = [];
        for (let i = 0; i < batch.length; i += MAX_BATCH) out.push(...(await this.registerRows(actor, tx, batch.slice(i, i + MAX_BATCH).map((r, ord) => ({ ...r, ord })))));
        return out;
      }),
    );
    return { machines, errors, lines: rows.map((r) => r.line) };
  }

  /** Moves a machine to another unit; both must lie in the caller's scope. Its seats stay with it. */
  async move(actor: Actor, machineId: string, toOrgUnitCode: string): Promise<MachineRecord> {
    if (!canOnMachine(actor, 'manage')) throw forbidden('Your role cannot move machines');
    const machine = await this.getById(actor, machineId);
    if (!machine) throw notFound('Machine');
    const target = await this.orgUnits.getByCode(actor, toOrgUnitCode);
    if (target.id === machine.orgUnitId) return machine;
    return this.deps.em.transactional(async (tx) => {
      const repository = new MachineRepository(tx);
      const [locked] = await tx.execute<Array<{ orgUnitId: string }>>(`select org_unit_id as "orgUnitId" from registry.machine where id = ? for update`, [machine.id]);
      if (locked.orgUnitId !== machine.orgUnitId) throw conflict('The machine was moved meanwhile; try again');
      // The operator is a person of the old unit; the link is dropped and re-made in the new unit by name.
      await tx
        .execute(`update registry.machine set org_unit_id = ?, operator_person_id = null, updated_at = now() where id = ?`, [target.id, machine.id])
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? conflict(`A machine named ${machine.hostname} already exists in ${toOrgUnitCode}`) : err;
        });
      await repository.linkOperators([machine.id]);
      const [after] = await repository.findByIds([machine.id]);
      const history = new HistoryRepository(tx);
      const units = [machine.orgUnitId, target.id];
      await history.recordEvent(actor, this.deps.requestId, { action: 'machine.move', entity: 'machine', entityId: machine.id, before: { ...machine }, after: { ...after }, orgUnitIds: units });
      await history.appendChange({ entity: 'machine', entityId: machine.id, action: 'move', orgUnitIds: units, details: { from: machine.orgUnitId, to: target.id } });
      return after;
    });
  }

  /** Retires a machine: kept for history, its active seats revoked so they can be used elsewhere. */
  async retire(actor: Actor, machineId: string): Promise<MachineRecord> {
    if (!canOnMachine(actor, 'manage')) throw forbidden('Your role cannot retire machines');
    const machine = await this.getById(actor, machineId);
    if (!machine) throw notFound('Machine');
    return this.deps.em.transactional(async (tx) => {
      const updated = await tx.execute<Array<{ id: string }>>(
        `update registry.machine set status = 'RETIRED', retired_at = now(), updated_at = now() where id = ? and status <> 'RETIRED' returning id`,
        [machine.id],
      );
      if (updated.length === 0) throw conflict('The machine is already retired');
      const revoked = await new AssignmentRepository(tx).revokeOfHolders([machine.id], [], actor.id);
      const [after] = await new MachineRepository(tx).findByIds([machine.id]);
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, {
        action: 'machine.retire',
        entity: 'machine',
        entityId: machine.id,
        before: { ...machine },
        after: { ...after, revokedAssignmentIds: revoked.map((a) => a.id) },
        orgUnitIds: [machine.orgUnitId],
      });
      await history.recordEvents(
        actor,
        this.deps.requestId,
        revoked.map((a) => ({ action: 'assignment.revoke', entity: 'assignment', entityId: a.id, after: { ...a }, orgUnitIds: [machine.orgUnitId, a.ownerUnitId] })),
      );
      await history.appendChange({ entity: 'machine', entityId: machine.id, action: 'retire', orgUnitIds: distinct([machine.orgUnitId, ...revoked.map((a) => a.ownerUnitId)]) });
      return after;
    });
  }

  /** Sets (or clears, with null) the person operating a machine; the person must belong to the machine's unit. */
  async setOperator(actor: Actor, machineId: string, personId: string | null): Promise<MachineRecord> {
    if (!canOnMachine(actor, 'manage')) throw forbidden('Your role cannot change machines');
    const machine = await this.getById(actor, machineId);
    if (!machine) throw notFound('Machine');
    return this.deps.em.transactional(async (tx) => {
      let name: string | null = null;
      if (personId !== null) {
        const [person] = isUuid(personId)
          ? await tx.execute<Array<{ name: string; orgUnitId: string }>>(`select name, org_unit_id as "orgUnitId" from registry.person where id = ?`, [personId])
          : [];
        // A person outside the scope is answered like a missing one (inside the transaction: one connection).
        const visible = person ? await new OrgUnitRepository(tx).filterInScope(actor.scopeUnitId, [person.orgUnitId]) : new Set<string>();
        if (!person || !visible.has(person.orgUnitId)) throw notFound('Person');
        if (person.orgUnitId !== machine.orgUnitId) throw badInput("The operator must be a person of the machine's unit");
        name = person.name;
      }
      await tx.execute(`update registry.machine set operator = ?, operator_person_id = ?, updated_at = now() where id = ?`, [name, personId, machine.id]);
      const [after] = await new MachineRepository(tx).findByIds([machine.id]);
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, { action: 'machine.set_operator', entity: 'machine', entityId: machine.id, before: { ...machine }, after: { ...after }, orgUnitIds: [machine.orgUnitId] });
      await history.appendChange({ entity: 'machine', entityId: machine.id, action: 'set_operator', orgUnitIds: [machine.orgUnitId] });
      return after;
    });
  }

  /** Machines operated by each person, batched. */
  async operatedBy(actor: Actor, personId: string): Promise<MachineRecord[]> {
    if (!canOnMachine(actor, 'read')) return [];
    return this.loaders.operatedBy.load(personId);
  }
}

export const MAX_BATCH = 500;

/**
 * Concurrent batches can still collide after matching (a fill racing an insert, or two batches waiting on each
 * other's uncommitted rows); the second attempt sees the winner's committed rows.
 */
async function retryOnRace<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (i < 2 && (isUniqueViolation(err) || code === '40P01')) continue;
      throw err;
    }
  }
}
