import { randomUUID } from 'node:crypto';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { MachineKind, type SoftwareCategory, systemActor, withAdvisoryXactLock } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { auditOrmConfig } from '@genuine/audit';
import { COMPLIANCE_JOB, complianceBatch, recomputeEverything } from '@genuine/audit/src/compliance/compliance.worker';
import type { ComplianceEngineOptions } from '@genuine/audit/src/compliance/compliance.engine';
import { OrgUnitKind } from '@genuine/registry/src/org-unit/org-unit.entity';
import type { Allocation, EntitlementType, LicenseMetric } from '@genuine/kit';
import { auditContext } from './audit';
import { openRegistryOrm, registryContext } from './registry';
import { testDatabaseUrl } from './test-database';

/**
 * A small world for compliance tests, built through the registry's services (units, catalogue, purchases, seats)
 * and the audit tables an ingest writes (titles recognized as editions, installations).
 */
export class ComplianceWorld {
  private constructor(
    readonly registry: MikroORM,
    readonly audit: MikroORM,
  ) {}

  static async open(): Promise<ComplianceWorld> {
    const registry = await openRegistryOrm(5);
    const audit = await MikroORM.init(auditOrmConfig({ databaseUrl: testDatabaseUrl(), poolMax: 5 }));
    return new ComplianceWorld(registry, audit);
  }

  async close(): Promise<void> {
    await this.registry.close();
    await this.audit.close();
  }

  private get services() {
    return registryContext(this.registry, systemActor).services;
  }

  async unit(parentCode: string | null, prefix = 'unit') {
    return this.services.orgUnits.create(systemActor, { code: uniqueCode(prefix), name: prefix, kind: OrgUnitKind.OTHER, parentCode });
  }

  async product(category: SoftwareCategory, licensable = true) {
    return this.services.catalogue.createProduct(systemActor, { publisher: 'Test Publisher', name: uniqueCode(`p-${category.toLowerCase()}`), category, licensable });
  }

  async edition(productId: string, options: { covers?: string[]; listPrice?: string | null; includesProducts?: string[] } = {}) {
    return this.services.catalogue.createEdition(systemActor, {
      productId,
      name: uniqueCode('edition'),
      covers: options.covers ?? [],
      includesProducts: options.includesProducts ?? [],
      listPrice: options.listPrice === null ? null : { amount: options.listPrice ?? '100.00', currency: 'CNY' },
    });
  }

  async machine(unitCode: string, operator?: string) {
    return this.services.machines.register(systemActor, { orgUnitCode: unitCode, hostname: uniqueCode('pc'), kind: MachineKind.DESKTOP, operator: operator ?? null });
  }

  private readonly titles = new Map<string, string>();

  /**
   * What an ingest leaves behind: a title installed on the machine, recognized as the edition by a normalization
   * rule added through the audit service (so a later replay of the rules decides it the same way).
   */
  async install(machineId: string, editionId: string): Promise<void> {
    const em = this.audit.em.fork();
    let titleId = this.titles.get(editionId);
    if (!titleId) {
      titleId = randomUUID();
      const name = uniqueCode('genuine-test-title');
      await em.execute(`insert into audit.software_title (id, name) values (?, ?)`, [titleId, name]);
      await em.execute(`insert into audit.installation (machine_id, title_id) values (?, ?)`, [machineId, titleId]);
      await auditContext(this.audit, systemActor).services.normalization.addRule(systemActor, { namePattern: `^${name}$`, editionId, priority: 5000 });
      this.titles.set(editionId, titleId);
      return;
    }
    await em.execute(`insert into audit.installation (machine_id, title_id) values (?, ?) on conflict do nothing`, [machineId, titleId]);
  }

  async uninstall(machineId: string, editionId: string): Promise<void> {
    await this.audit.em.fork().execute(
      `delete from audit.installation i using audit.software_title t where t.id = i.title_id and i.machine_id = ? and t.edition_id = ?`,
      [machineId, editionId],
    );
  }

  /** A new inventory with the same titles: the machine is recomputed though nothing it asks for changed. */
  async reinventory(machineId: string): Promise<void> {
    await this.audit.em.fork().execute(`update audit.installation set last_seen_at = now() where machine_id = ?`, [machineId]);
  }

  async entitlement(
    unitCode: string,
    editionId: string,
    line: { quantity?: number; unitPrice?: string; metric?: LicenseMetric; allocation?: Allocation; type?: EntitlementType; validFrom?: string; validUntil?: string | null } = {},
  ) {
    const { entitlements } = await this.services.purchases.record(systemActor, {
      orgUnitCode: unitCode,
      supplier: 'Test Supplier',
      orderNumber: uniqueCode('po'),
      purchasedOn: line.validFrom ?? '2020-01-01',
      currency: 'CNY',
      lines: [{ editionId, quantity: line.quantity ?? 1, unitPrice: line.unitPrice ?? '100.00', metric: line.metric, allocation: line.allocation, type: line.type, validFrom: line.validFrom, validUntil: line.validUntil ?? null }],
    });
    return entitlements[0];
  }

  async assign(entitlementId: string, holder: { machineId?: string; personId?: string }) {
    return this.services.assignments.assign(systemActor, { entitlementId, ...holder });
  }

  async revoke(assignmentId: string) {
    return this.services.assignments.revoke(systemActor, assignmentId);
  }

  async personOf(machineId: string): Promise<string> {
    const [row] = await this.audit.em.fork().execute<Array<{ id: string }>>(`select operator_person_id as id from registry_public.machine where id = ?`, [machineId]);
    return row.id;
  }

  /** Runs incremental batches until the engine has nothing left to do. */
  /** Runs the worker's batches until one finds nothing to do (on `em`'s connections: the world's by default). */
  async incremental(em: EntityManager = this.audit.em): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const run = await withAdvisoryXactLock(em, COMPLIANCE_JOB, complianceBatch);
      if (run.acquired && run.value === 0) return;
    }
  }

  async full(options: ComplianceEngineOptions = {}): Promise<void> {
    await withAdvisoryXactLock(this.audit.em, COMPLIANCE_JOB, (tx) => recomputeEverything(tx, options));
  }

  async statuses(machineIds: string[], category: SoftwareCategory): Promise<Record<string, string>> {
    const rows = await this.audit.em.fork().execute<Array<{ machine_id: string; status: string }>>(
      `select machine_id, status from audit.compliance_machine_category where category = ? and machine_id = any(?::uuid[])`,
      [category, `{${machineIds.join(',')}}`],
    );
    return Object.fromEntries(rows.map((r) => [r.machine_id, r.status]));
  }

  async coverage(machineId: string): Promise<Array<{ edition_id: string; basis: string | null; entitlement_id: string | null }>> {
    return this.audit.em.fork().execute(`select edition_id, basis, entitlement_id from audit.compliance_install where machine_id = ? order by edition_id`, [machineId]);
  }

  /** Every maintained row that concerns these units and machines, in a comparable form. */
  async snapshot(unitIds: string[], machineIds: string[]): Promise<unknown> {
    const em = this.audit.em.fork();
    const units = `{${unitIds.join(',')}}`;
    const machines = `{${machineIds.join(',')}}`;
    return {
      installs: await em.execute(`select machine_id, edition_id, basis, entitlement_id from audit.compliance_install where machine_id = any(?::uuid[]) order by 1, 2`, [machines]),
      statuses: await em.execute(`select machine_id, category, status, org_unit_id from audit.compliance_machine_category where machine_id = any(?::uuid[]) order by 1, 2`, [machines]),
      unitCategories: await em.execute(`select * from audit.compliance_unit_category where org_unit_id = any(?::uuid[]) order by 1, 2`, [units]),
      units: await em.execute(`select * from audit.compliance_unit where org_unit_id = any(?::uuid[]) order by 1`, [units]),
      positions: await em.execute(`select * from audit.compliance_position where org_unit_id = any(?::uuid[]) order by 1, 2`, [units]),
    };
  }
}
