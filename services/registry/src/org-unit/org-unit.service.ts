import { AppError, conflict, ErrorCode, forbidden, isUniqueViolation, notFound, type Actor, type Logger } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import { HistoryRepository } from '../history/history.repository';
import { isUuid } from '../ids';
import { OrgUnit, type OrgUnitKind } from './org-unit.entity';
import type { OrgUnitLoaders } from './org-unit.loader';
import { canOnOrgUnit } from './org-unit.policy';
import { OrgUnitRepository, type OrgUnitRecord } from './org-unit.repository';

export interface CreateOrgUnitCommand {
  code: string;
  name: string;
  kind: OrgUnitKind;
  parentCode?: string | null;
}

export interface ServiceDeps {
  em: EntityManager;
  requestId: string;
  log: Logger;
}

/** The org-unit tree: reads limited to the caller's subtree, creation with its audit event and closure rows. */
export class OrgUnitService {
  private readonly repository: OrgUnitRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: OrgUnitLoaders & { inScope: Pick<DataLoader<string, boolean>, 'load' | 'prime'> },
  ) {
    this.repository = new OrgUnitRepository(deps.em);
  }

  /** A unit by code; NOT_FOUND both when it does not exist and when it lies outside the caller's scope. */
  async getByCode(actor: Actor, code: string): Promise<OrgUnitRecord> {
    if (!canOnOrgUnit(actor, 'read')) throw forbidden();
    const [unit] = await this.repository.findByCodes([code]);
    if (!unit || !(await this.loaders.inScope.load(unit.id))) throw notFound(`Org unit ${code}`);
    this.loaders.byId.prime(unit.id, unit);
    return unit;
  }

  /**
   * The ids of units named by code, all inside the caller's scope, in two set queries; NOT_FOUND naming every
   * code that does not exist or lies outside the scope. Like `findCodesInScope`, for callers that checked their right.
   */
  async resolveCodes(actor: Actor, codes: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(codes)];
    const found = await this.findCodesInScope(actor, wanted);
    const missing = wanted.filter((c) => !found.has(c));
    if (missing.length > 0) {
      throw new AppError(ErrorCode.NOT_FOUND, `Org unit${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`, { orgUnitCodes: missing });
    }
    return found;
  }

  /**
   * Of `codes`, those naming a unit inside the caller's scope, with their ids (no error for the others). No READ
   * check: writers that may not read (agents registering machines) name units too; callers check their own right.
   */
  async findCodesInScope(actor: Actor, codes: readonly string[]): Promise<Map<string, string>> {
    const units = await this.repository.findByCodes([...new Set(codes)]);
    const inScope = await this.repository.filterInScope(actor.scopeUnitId, units.map((u) => u.id));
    return new Map(units.filter((u) => inScope.has(u.id)).map((u) => [u.code, u.id]));
  }

  async getById(actor: Actor, id: string): Promise<OrgUnitRecord | null> {
    if (!canOnOrgUnit(actor, 'read') || !isUuid(id)) return null;
    const unit = await this.loaders.byId.load(id);
    return unit && (await this.loaders.inScope.load(unit.id)) ? unit : null;
  }

  /**
   * `unit` itself when the caller may read units, else null: for records listed under a unit the caller already
   * sees (its scope was checked on the way to it), which therefore need no lookup of their own unit.
   */
  visible<T extends OrgUnitRecord>(actor: Actor, unit: T): T | null {
    return canOnOrgUnit(actor, 'read') ? unit : null;
  }

  /** The parent, or null for a root and for a parent above the caller's scope. */
  async parentOf(actor: Actor, unit: OrgUnitRecord): Promise<OrgUnitRecord | null> {
    return unit.parentId ? this.getById(actor, unit.parentId) : null;
  }

  /** Children are always inside the scope when their parent is. */
  async childrenOf(actor: Actor, unit: OrgUnitRecord): Promise<OrgUnitRecord[]> {
    if (!canOnOrgUnit(actor, 'read')) return [];
    return this.loaders.childrenOf.load(unit.id);
  }

  /**
   * A page of the units below `unit` (which the caller already sees). They are primed into the request's loaders,
   * in scope since their ancestor is, so their machines' `orgUnit` costs no further statement; the total is
   * counted only when asked.
   */
  async descendantsOf(actor: Actor, unit: OrgUnitRecord, first: number, after: { depth: number; code: string } | null) {
    const rows = await this.repository.findDescendants(unit.id, after, first + 1);
    const items = rows.slice(0, first);
    for (const row of items) {
      const { depth: _depth, ...record } = row;
      this.loaders.byId.prime(record.id, record);
      this.loaders.inScope.prime(record.id, true);
    }
    return { items, hasNextPage: rows.length > first, totalCount: () => this.repository.countDescendants(unit.id) };
  }

  async create(actor: Actor, command: CreateOrgUnitCommand): Promise<OrgUnitRecord> {
    if (!canOnOrgUnit(actor, 'create')) throw forbidden('Only administrators create org units');
    const parent = command.parentCode ? await this.getByCode(actor, command.parentCode) : null;
    if (!parent && actor.scopeUnitId !== null) throw forbidden('A scoped administrator creates units only inside their subtree');
    return this.deps.em.transactional(async (tx) => {
      const repository = new OrgUnitRepository(tx);
      const unit = tx.create(OrgUnit, { code: command.code, name: command.name, kind: command.kind, parent: parent?.id ?? null });
      await tx.flush().catch((err: unknown) => {
        throw isUniqueViolation(err) ? conflict(`An org unit with code ${command.code} already exists`) : err;
      });
      await repository.insertClosure(unit.id, parent?.id ?? null);
      const record: OrgUnitRecord = { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind, parentId: parent?.id ?? null };
      const history = new HistoryRepository(tx);
      await history.recordEvent(actor, this.deps.requestId, { action: 'org_unit.create', entity: 'org_unit', entityId: unit.id, after: { ...record }, orgUnitIds: [unit.id] });
      await history.appendChange({ entity: 'org_unit', entityId: unit.id, action: 'create', orgUnitIds: [unit.id] });
      return record;
    });
  }
}
