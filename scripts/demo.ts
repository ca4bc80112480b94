import type { MikroORM } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Allocation, EntitlementType, LicenseMetric, MachineKind, sqlArray, systemActor, withAdvisoryXactLock, type Logger } from '@genuine/kit';
import { COMPLIANCE_JOB, recomputeEverything } from '@genuine/audit/src/compliance/compliance.worker';
import { decodeAgentBody, parseAgentMessage } from '@genuine/audit/src/ingest/agent-protocol';
import { DEFAULT_AGENT_LIMITS } from '@genuine/audit/src/ingest/agent.route';
import { IngestService } from '@genuine/audit/src/ingest/ingest.service';
import type { MachineRegistrar, MachineRegistration } from '@genuine/audit/src/ingest/machine-registrar';
import { InventoryOutcome } from '@genuine/audit/src/inventory/inventory.entity';
import { createRegistryContext } from '@genuine/registry';
import { MAX_BATCH } from '@genuine/registry/src/machine/machine.service';
import type { OrgUnitKind } from '@genuine/registry/src/org-unit/org-unit.entity';
import { loadCampaigns } from './demo/campaigns';
import { agentInventoryBody } from './demo/inventory';
import { buildDemoPlan, type DemoPlan } from './demo/plan';
import { demoUnits, type DemoUnit } from './demo/units';

/**
 * Inventories in flight at once, as a fleet's first inventories arrive: the registrar gathers the unknown machines
 * among them into one registration (each registration is one registry transaction, serialized on the change log).
 */
const INGEST_CONCURRENCY = 48;
const REGISTRATION_WINDOW_MS = 15;

/**
 * Loads the demo on first start (DESIGN → Demo data), through the services' own code paths (never by writing
 * tables directly), so that the engine computes the seed's figures from raw data:
 *  1. the unit trees of scripts/demo/units.ts (registry OrgUnitService);
 *  2. the purchases, each line an entitlement: DEVICE seats, PER_USER subscriptions, a SITE antivirus license for
 *     Nanxun, POOLED volume licenses for Luonan, an expired one (registry PurchaseService);
 *  3. the asset register: every machine with its kind and operator, in batches (registry MachineService);
 *     then one inventory per machine in agent format (OCS / FusionInventory XML, zlib, ACCOUNTINFO TAG = unit
 *     code), decoded and parsed as the agent endpoint does and stored by the audit IngestService, which matches
 *     the registered machine by uuid (and would register an unknown one through DemoRegistrar);
 *  4. the seats: DEVICE seats per unit (AssignmentService.assignToSubtree), PER_USER seats per person;
 *  5. one full recompute of the compliance engine, so the figures are there when start-up finishes;
 *  6. the campaigns (loadDemoCampaigns, audit CampaignService), after the recompute: their published rounds freeze
 *     the measured figures as they stand.
 * A database that already has the demo's root unit is left alone. Returns whether it loaded anything.
 */
export async function loadDemo(registryOrm: MikroORM, auditOrm: MikroORM, log: Logger): Promise<boolean> {
  const [existing] = await registryOrm.em.fork().execute<Array<{ n: string }>>(`select count(*) as n from registry.org_unit where code = ?`, [demoUnits[0].code]);
  if (Number(existing.n) > 0) return false;
  const started = Date.now();
  const quiet = log.child({ component: 'demo' }, { level: 'warn' });
  const registry = () => createRegistryContext({ em: registryOrm.em.fork(), actor: systemActor, requestId: 'demo-load', log: quiet }).services;
  const plan = buildDemoPlan();

  const units = registry().orgUnits;
  const create = async (unit: DemoUnit, parentCode: string | null) => {
    await units.create(systemActor, { code: unit.code, name: unit.name, kind: unit.kind as OrgUnitKind, parentCode });
    for (const child of unit.children ?? []) await create(child, unit.code);
  };
  for (const root of demoUnits) await create(root, null);

  const ms: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const at = Date.now();
    const cpuAt = process.cpuUsage();
    const value = await work();
    ms[name] = Date.now() - at;
    const used = process.cpuUsage(cpuAt);
    cpu[name] = Math.round((used.user + used.system) / 1000);
    return value;
  };
  const entitlements = await phase('purchases', () => recordPurchases(registryOrm, plan, registry));
  await phase('machines', () => registerMachines(plan, registry));
  await phase('inventories', () => ingestInventories(registryOrm, auditOrm, plan, quiet));
  // A bulk load: fresh planner statistics keep the seat assignments' subtree queries on good plans.
  await phase('analyze', () => registryOrm.em.fork().execute('analyze registry.machine, registry.person, registry.assignment, registry.org_unit_closure'));
  await phase('seats', () => assignSeats(registryOrm, plan, entitlements, registry));
  const machines = await phase('recompute', () => recomputeCompliance(auditOrm));
  await phase('campaigns', () => loadDemoCampaigns(auditOrm, plan, quiet));
  log.info({ machines, purchases: plan.purchases.length, ms: { ...ms, total: Date.now() - started }, cpuMs: cpu }, 'demo data loaded');
  return true;
}

/**
 * The demo's campaigns (DESIGN → Demo data: a running campaign per district/county whose self-reports differ from
 * the measured figures): one over `nanxun` (in REMEDIATION, with a unit that never reported, a spot check with
 * findings and two published rounds) and one over `luonan` (SELF_CHECK, five agencies reported), played through
 * the audit CampaignService by scoped users (scripts/demo/campaigns.ts). Needs the compliance figures computed.
 */
export async function loadDemoCampaigns(auditOrm: MikroORM, plan: DemoPlan, log: Logger): Promise<void> {
  await loadCampaigns(auditOrm, plan, log);
}

async function recordPurchases(registryOrm: MikroORM, plan: DemoPlan, registry: () => ReturnType<typeof createRegistryContext>['services']): Promise<Map<string, string>> {
  const codes = [...new Set(plan.purchases.map((p) => p.edition))];
  const rows = await registryOrm.em.fork().execute<Array<{ id: string; code: string }>>(`select id, code from registry.edition where code = any(?::text[])`, [sqlArray(codes)]);
  const editionIds = new Map(rows.map((r) => [r.code, r.id]));
  const missing = codes.filter((c) => !editionIds.has(c));
  if (missing.length > 0) throw new Error(`the demo needs the default catalogue's editions ${missing.join(', ')}; load the catalogue first`);
  const entitlements = new Map<string, string>();
  for (const p of plan.purchases) {
    const { entitlements: created } = await registry().purchases.record(systemActor, {
      orgUnitCode: p.orgUnitCode,
      supplier: p.supplier,
      orderNumber: p.orderNumber,
      invoiceNumber: p.invoiceNumber,
      procurementMethod: p.procurementMethod,
      purchasedOn: p.purchasedOn,
      currency: 'CNY',
      lines: [
        {
          editionId: editionIds.get(p.edition) ?? '',
          quantity: p.quantity,
          unitPrice: p.unitPrice,
          metric: p.metric ? LicenseMetric[p.metric] : null,
          allocation: p.allocation ? Allocation[p.allocation] : null,
          type: p.type ? EntitlementType[p.type] : null,
          validUntil: p.validUntil ?? null,
          assetTag: p.assetTag,
        },
      ],
    });
    entitlements.set(p.key, created[0].id);
  }
  return entitlements;
}

/**
 * The asset register: every machine with its kind and operator (the self-check form's rows), registered in
 * batches of 500 through the registry's MachineService, as `registerMachines` does. The agents' inventories then
 * find their machines by uuid; an inventory of a machine the register lacks would be registered by the ingest.
 */
async function registerMachines(plan: DemoPlan, registry: () => ReturnType<typeof createRegistryContext>['services']): Promise<void> {
  for (let i = 0; i < plan.machines.length; i += MAX_BATCH) {
    await registry().machines.registerMany(
      systemActor,
      plan.machines.slice(i, i + MAX_BATCH).map((m) => ({
        orgUnitCode: m.unitCode,
        hostname: m.hostname,
        serialNumber: m.serialNumber,
        uuid: m.uuid,
        kind: MachineKind[m.kind],
        operator: m.operator,
      })),
    );
  }
}

/**
 * Registers the machines agents report through the registry's MachineService in this process, batching the
 * registrations that arrive together into one `registerMany` (what HttpMachineRegistrar does over HTTP).
 */
class DemoRegistrar implements MachineRegistrar {
  private readonly loader: DataLoader<MachineRegistration, string>;

  constructor(registryOrm: MikroORM, log: Logger) {
    this.loader = new DataLoader(
      async (machines) => {
        const services = createRegistryContext({ em: registryOrm.em.fork(), actor: systemActor, requestId: 'demo-agents', log }).services;
        const registered = await services.machines.registerMany(
          systemActor,
          machines.map((m) => ({ ...m, kind: MachineKind[m.kind] })),
        );
        return registered.map((m) => m.id);
      },
      { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setTimeout(run, REGISTRATION_WINDOW_MS) },
    );
  }

  register(_token: string, _requestId: string, machine: MachineRegistration): Promise<string> {
    return this.loader.load(machine);
  }
}

async function ingestInventories(registryOrm: MikroORM, auditOrm: MikroORM, plan: DemoPlan, log: Logger): Promise<void> {
  const registrar = new DemoRegistrar(registryOrm, log);
  const credentials = { actor: systemActor, token: 'demo' };
  const receivedAt = new Date();
  let next = 0;
  const worker = async () => {
    while (next < plan.machines.length) {
      const index = next++;
      const { body, contentType } = agentInventoryBody(plan.machines[index], index);
      const message = parseAgentMessage(decodeAgentBody(body, contentType, { maxInflatedBytes: DEFAULT_AGENT_LIMITS.maxInflatedBytes }), DEFAULT_AGENT_LIMITS.parse);
      if (message.kind !== 'INVENTORY') throw new Error('the demo inventory did not parse as an inventory');
      const ingest = new IngestService({ em: auditOrm.em.fork(), requestId: 'demo-agents', log, registrar });
      const result = await ingest.submit(credentials, message.inventory, receivedAt);
      if (result.outcome !== InventoryOutcome.APPLIED) throw new Error(`the demo inventory of ${plan.machines[index].hostname} was ${result.outcome}`);
    }
  };
  await Promise.all(Array.from({ length: INGEST_CONCURRENCY }, worker));
}

async function assignSeats(registryOrm: MikroORM, plan: DemoPlan, entitlements: ReadonlyMap<string, string>, registry: () => ReturnType<typeof createRegistryContext>['services']): Promise<void> {
  const entitlement = (key: string) => {
    const id = entitlements.get(key);
    if (!id) throw new Error(`the demo plan names no purchase ${key}`);
    return id;
  };
  for (const seats of plan.deviceSeats) {
    const { assigned } = await registry().assignments.assignToSubtree(systemActor, { entitlementId: entitlement(seats.purchase), orgUnitCode: seats.unitCode, limit: seats.count });
    if (assigned.length !== seats.count) throw new Error(`the demo gave ${assigned.length} of ${seats.count} seats of ${seats.purchase} in ${seats.unitCode}`);
  }
  if (plan.userSeats.length === 0) return;
  const people = await registryOrm.em.fork().execute<Array<{ id: string; unit: string; name: string }>>(
    `select p.id, u.code as unit, p.name from registry.person p join registry.org_unit u on u.id = p.org_unit_id where u.code = any(?::text[])`,
    [sqlArray([...new Set(plan.userSeats.map((s) => s.unitCode))])],
  );
  const personId = new Map(people.map((p) => [`${p.unit}\u0000${p.name}`, p.id]));
  for (const seat of plan.userSeats) {
    const id = personId.get(`${seat.unitCode}\u0000${seat.person}`);
    if (!id) throw new Error(`the demo's operator ${seat.person} of ${seat.unitCode} was not registered`);
    await registry().assignments.assign(systemActor, { entitlementId: entitlement(seat.purchase), personId: id });
  }
}

/**
 * Holds back a service's background work (the compliance worker) until `start`, so that a first start loads the
 * demo without the worker recomputing after every inventory; `stop` works whether or not it was started.
 */
export function deferBackground(spec: { background?: (orm: MikroORM) => { stop(): Promise<void> } }): { start(): void } {
  const background = spec.background;
  let start = () => undefined as void;
  if (background) {
    spec.background = (orm) => {
      let running: { stop(): Promise<void> } | undefined;
      start = () => {
        running ??= background(orm);
      };
      return { stop: async () => running?.stop() };
    };
  }
  return { start: () => start() };
}

/** One full recompute under the engine's lock; the background worker may hold it for a moment, so it retries. */
async function recomputeCompliance(auditOrm: MikroORM): Promise<number> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    const run = await withAdvisoryXactLock(auditOrm.em, COMPLIANCE_JOB, recomputeEverything);
    if (run.acquired) return run.value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the compliance engine stayed busy for two minutes; the demo figures were not recomputed');
}
