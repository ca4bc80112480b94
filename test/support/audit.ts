import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { systemActor, type Actor } from '@genuine/kit';
import { uniqueCode } from '@genuine/kit/src/testing';
import { auditOrmConfig, createAuditContext, type AuditContext } from '@genuine/audit';
import { decodeAgentBody, parseAgentMessage, type AgentInventory } from '@genuine/audit/src/ingest/agent-protocol';
import { IngestService } from '@genuine/audit/src/ingest/ingest.service';
import type { MachineRegistrar, MachineRegistration } from '@genuine/audit/src/ingest/machine-registrar';
import { loadDefaultCatalogue } from '../../scripts/catalogue';
import { registryContext, silentLog } from './registry';
import { testDatabaseUrl } from './test-database';

export const AGENT_FIXTURES = path.resolve(__dirname, '../fixtures/agents');

export async function openAuditOrm(poolMax = 5): Promise<MikroORM> {
  return MikroORM.init(auditOrmConfig({ databaseUrl: testDatabaseUrl(), poolMax }));
}

/** A fresh request context, as the server builds one per request. */
export function auditContext(orm: MikroORM, actor: Actor, requestId = uniqueCode('req')): AuditContext {
  return createAuditContext({ em: orm.em.fork(), actor, requestId, log: silentLog });
}

/**
 * Registers machines through the registry's own service in this process, standing in for the registry's HTTP API
 * (which the e2e tests exercise). Counts calls, so tests can tell a match from a registration.
 */
export class InProcessRegistrar implements MachineRegistrar {
  calls = 0;

  constructor(
    private readonly registryOrm: MikroORM,
    private readonly actor: Actor = systemActor,
  ) {}

  async register(_token: string, requestId: string, machine: MachineRegistration): Promise<string> {
    this.calls += 1;
    const ctx = registryContext(this.registryOrm, this.actor, requestId);
    return (await ctx.services.machines.register(this.actor, machine)).id;
  }
}

export function ingestService(auditOrm: MikroORM, registrar: MachineRegistrar, requestId = uniqueCode('req')): IngestService {
  return new IngestService({ em: auditOrm.em.fork(), requestId, log: silentLog, registrar });
}

/** A fixture inventory parsed as the endpoint parses it. */
export function fixtureInventory(file: string, contentType = 'application/xml'): AgentInventory {
  const decoded = decodeAgentBody(readFileSync(path.join(AGENT_FIXTURES, file)), contentType, { maxInflatedBytes: 32 * 1024 * 1024 });
  const message = parseAgentMessage(decoded, { maxFieldLength: 1024, maxSoftware: 10_000 });
  if (message.kind !== 'INVENTORY') throw new Error(`${file} is not an inventory`);
  return message.inventory;
}

/** The shipped catalogue and rules, loaded once per worker database (idempotent). */
export async function ensureDefaultCatalogue(registryOrm: MikroORM, auditOrm: MikroORM): Promise<Map<string, string>> {
  await loadDefaultCatalogue(registryOrm, auditOrm, silentLog);
  const rows = await auditOrm.em.fork().execute<Array<{ id: string; code: string }>>(`select id, code from registry_public.edition where code is not null`);
  return new Map(rows.map((r) => [r.code, r.id]));
}
