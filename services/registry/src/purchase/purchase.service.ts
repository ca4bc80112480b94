import { randomUUID } from 'node:crypto';
import { Allocation, badInput, conflict, EntitlementType, forbidden, isUniqueViolation, notFound, sqlArray, type Actor, type LicenseMetric } from '@genuine/kit';
import { EntitlementRepository, type EntitlementRecord } from '../entitlement/entitlement.repository';
import { HistoryRepository } from '../history/history.repository';
import { distinct, isUuid } from '../ids';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import type { PurchaseLoaders } from './purchase.loader';
import { canOnPurchase } from './purchase.policy';
import { PurchaseRepository, type PurchaseCursor, type PurchaseRecord, type SpendPeriod, type SupplierRecord } from './purchase.repository';

export interface PurchaseLineCommand {
  editionId: string;
  quantity: number;
  unitPrice: string;
  metric?: LicenseMetric | null;
  allocation?: Allocation | null;
  type?: EntitlementType | null;
  validFrom?: string | null;
  validUntil?: string | null;
  assetTag?: string | null;
}

export interface RecordPurchaseCommand {
  orgUnitCode: string;
  supplier: string;
  orderNumber: string;
  invoiceNumber?: string | null;
  procurementMethod?: string | null;
  purchasedOn: string;
  currency: string;
  lines: readonly PurchaseLineCommand[];
}

export interface PurchaseFilterInput {
  orgUnitCode?: string | null;
  includeDescendants?: boolean | null;
  supplierId?: string | null;
  from?: string | null;
  to?: string | null;
  search?: string | null;
}

export interface SpendQuery {
  orgUnitCode?: string | null;
  includeDescendants?: boolean | null;
  from?: string | null;
  to?: string | null;
  period?: SpendPeriod | null;
}

export const MAX_PURCHASE_LINES = 500;

/** Purchases and their lines (each line one entitlement), suppliers, and spend reports. */
export class PurchaseService {
  private readonly repository: PurchaseRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: PurchaseLoaders,
    private readonly orgUnits: OrgUnitService,
  ) {
    this.repository = new PurchaseRepository(deps.em);
  }

  async getById(actor: Actor, id: string): Promise<PurchaseRecord | null> {
    if (!canOnPurchase(actor, 'read') || !isUuid(id)) return null;
    const purchase = await this.loaders.byId.load(id);
    return purchase && (await this.orgUnits.getById(actor, purchase.orgUnitId)) ? purchase : null;
  }

  /** A purchase for a single read: FORBIDDEN for a role that may not read, NOT_FOUND when missing or outside the scope. */
  async require(actor: Actor, id: string): Promise<PurchaseRecord> {
    if (!canOnPurchase(actor, 'read')) throw forbidden();
    const purchase = await this.getById(actor, id);
    if (!purchase) throw notFound('Purchase');
    return purchase;
  }

  async supplierById(actor: Actor, id: string): Promise<SupplierRecord | null> {
    if (!canOnPurchase(actor, 'read')) return null;
    return this.loaders.supplierById.load(id);
  }

  /** Σ quantity × unit price of the purchase's lines, exact decimal text. */
  async totalOf(purchase: PurchaseRecord): Promise<string> {
    return this.loaders.total.load(purchase.id);
  }

  async list(actor: Actor, filter: PurchaseFilterInput, first: number, after: PurchaseCursor | null) {
    if (!canOnPurchase(actor, 'read')) throw forbidden();
    if (filter.supplierId && !isUuid(filter.supplierId)) throw badInput('supplierId is not a valid id');
    const root = filter.orgUnitCode ? (await this.orgUnits.getByCode(actor, filter.orgUnitCode)).id : actor.scopeUnitId;
    const query = {
      rootUnitId: root,
      includeDescendants: filter.includeDescendants ?? true,
      supplierId: filter.supplierId ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
      search: filter.search?.trim() || null,
    };
    const rows = await this.repository.list(query, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.count(query) };
  }

  async listSuppliers(actor: Actor, search: string | null, first: number, after: [string, string] | null) {
    if (!canOnPurchase(actor, 'read')) throw forbidden();
    // A scoped caller sees the suppliers its subtree bought from, not those only other units did.
    const rows = await this.repository.listSuppliers(actor.scopeUnitId, search, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.countSuppliers(actor.scopeUnitId, search) };
  }

  /**
   * Records a purchase and creates one entitlement per line, owned by the buying unit. Defaults (DESIGN →
   * Contract): the edition's metric, ASSIGNED, valid from the purchase date, no end; PERPETUAL unless a type is
   * given. Money stays decimal text end to end and is stored as numeric(19,4). All lines or nothing.
   */
  async record(actor: Actor, command: RecordPurchaseCommand): Promise<{ purchase: PurchaseRecord; entitlements: EntitlementRecord[] }> {
    if (!canOnPurchase(actor, 'record')) throw forbidden('Your role cannot record purchases');
    if (command.lines.length === 0) throw badInput('A purchase needs at least one line');
    if (command.lines.length > MAX_PURCHASE_LINES) throw badInput(`At most ${MAX_PURCHASE_LINES} lines per purchase`);
    const problems = command.lines.flatMap((line, i) => lineProblems(line, command.purchasedOn).map((p) => `lines[${i}]: ${p}`));
    if (problems.length > 0) throw badInput('The purchase has invalid lines; nothing was recorded', { problems });
    const unit = await this.orgUnits.getByCode(actor, command.orgUnitCode);
    const editionIds = distinct(command.lines.map((l) => l.editionId));
    return this.deps.em.transactional(async (tx) => {
      const editions = await tx.execute<Array<{ id: string; metric: LicenseMetric }>>(`select id, metric from registry.edition where id = any(?::uuid[])`, [sqlArray(editionIds)]);
      const metricOf = new Map(editions.map((e) => [e.id, e.metric]));
      const unknown = editionIds.filter((id) => !metricOf.has(id));
      if (unknown.length > 0) throw notFound(`Edition${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
      const repository = new PurchaseRepository(tx);
      const supplierId = await repository.ensureSupplier(command.supplier.trim());
      const purchaseId = randomUUID();
      await tx
        .execute(
          `insert into registry.purchase (id, org_unit_id, supplier_id, order_number, invoice_number, purchased_on, procurement_method, currency)
           values (?, ?, ?, ?, ?, ?::date, ?, ?)`,
          [purchaseId, unit.id, supplierId, command.orderNumber.trim(), command.invoiceNumber ?? null, command.purchasedOn, command.procurementMethod ?? null, command.currency],
        )
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? conflict(`Order ${command.orderNumber} of ${command.supplier} is already recorded`) : err;
        });
      const lines = command.lines.map((line, i) => ({
        id: randomUUID(),
        line_no: i + 1,
        edition_id: line.editionId,
        quantity: line.quantity,
        metric: line.metric ?? metricOf.get(line.editionId),
        type: line.type ?? EntitlementType.PERPETUAL,
        allocation: line.allocation ?? Allocation.ASSIGNED,
        valid_from: line.validFrom ?? command.purchasedOn,
        valid_until: line.validUntil ?? null,
        unit_price: line.unitPrice,
        asset_tag: line.assetTag ?? null,
      }));
      await tx.execute(
        `insert into registry.entitlement (id, edition_id, org_unit_id, purchase_id, line_no, quantity, metric, type, allocation, valid_from, valid_until, unit_price, currency, asset_tag)
         select x.id, x.edition_id, ?, ?, x.line_no, x.quantity, x.metric::registry.license_metric, x.type::registry.entitlement_type,
                x.allocation::registry.allocation, x.valid_from, x.valid_until, x.unit_price, ?, x.asset_tag
           from jsonb_to_recordset(?::jsonb) as x(id uuid, line_no int, edition_id uuid, quantity int, metric text, type text, allocation text,
                                                  valid_from date, valid_until date, unit_price numeric, asset_tag text)
          order by x.line_no`,
        [unit.id, purchaseId, command.currency, JSON.stringify(lines)],
      );
      const [purchase] = await repository.findByIds([purchaseId]);
      const entitlements = await new EntitlementRepository(tx).findByPurchases([purchaseId]);
      const history = new HistoryRepository(tx);
      await history.recordEvents(actor, this.deps.requestId, [
        { action: 'purchase.record', entity: 'purchase', entityId: purchaseId, after: { ...purchase, supplier: command.supplier.trim() }, orgUnitIds: [unit.id] },
        ...entitlements.map((e) => ({ action: 'entitlement.create', entity: 'entitlement', entityId: e.id, after: { ...e }, orgUnitIds: [unit.id] })),
      ]);
      await history.appendChanges(entitlements.map((e) => ({ entity: 'entitlement', entityId: e.id, action: 'create', orgUnitIds: [unit.id] })));
      return { purchase, entitlements };
    });
  }

  /** Spend per buying unit and period (and currency), plus totals per currency, over a subtree. */
  async spend(actor: Actor, query: SpendQuery) {
    if (!canOnPurchase(actor, 'report')) throw forbidden('Spend reports are for finance');
    const root = query.orgUnitCode ? (await this.orgUnits.getByCode(actor, query.orgUnitCode)).id : actor.scopeUnitId;
    if (query.from && query.to && query.to < query.from) throw badInput('to cannot be before from');
    const q = { rootUnitId: root, includeDescendants: query.includeDescendants ?? true, from: query.from ?? null, to: query.to ?? null };
    const rows = await this.repository.spend({ ...q, period: query.period ?? 'MONTH' });
    const totals = await this.repository.spendTotals(q);
    return { rows, totals };
  }
}

const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;

function lineProblems(line: PurchaseLineCommand, purchasedOn: string): string[] {
  const problems: string[] = [];
  if (!isUuid(line.editionId)) problems.push('editionId is not a valid id');
  if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 10_000_000) problems.push('quantity must be a whole number from 1 to 10000000');
  if (!DECIMAL.test(line.unitPrice)) problems.push('unitPrice must be a non-negative decimal string with at most 4 decimals, e.g. "1399.00"');
  const from = line.validFrom ?? purchasedOn;
  if (line.validUntil && line.validUntil < from) problems.push('validUntil cannot be before validFrom');
  return problems;
}
