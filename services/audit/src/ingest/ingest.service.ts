import { can, Permission, type Actor, type Logger, type MachineKind } from '@genuine/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InventoryOutcome } from '../inventory/inventory.entity';
import { NormalizationRepository } from '../normalization/normalization.repository';
import { TitleRecognizer } from '../normalization/normalization.service';
import type { AgentInventory } from './agent-protocol';
import { readInventory, type InventoryFacts, type ReadInventoryMessage } from './agent-body-reader';
import { AgentRefusal } from './agent-refusal';
import { IngestRepository, type KnownMachine, type ResolvedIdentity } from './ingest.repository';
import { packedTitleIds, packedTitleRows, type PackedContent, type TitleRowMemo } from './inventory-content';
import type { MachineRegistrar } from './machine-registrar';
import type { IdenticalResendBatcher } from './resend-batcher';

export interface IngestDeps {
  em: EntityManager;
  requestId: string;
  log: Logger;
  registrar: MachineRegistrar;
  /** Titles remembered across requests (the endpoint's): which are stored, and for `submit` their normalized rows; the result is the same without. */
  titles?: TitleRowMemo;
  /** Records identical re-sends together with concurrent ones (the endpoint's); the result is the same without. */
  resends?: IdenticalResendBatcher;
}

/** Who sent the request: the actor its token stands for, and the token itself (to register machines with). */
export interface AgentCredentials {
  actor: Actor;
  token: string;
}

export interface IngestResult {
  outcome: InventoryOutcome;
  machineId: string;
  reportId: string;
  /** Installations added or kept and removed by an APPLIED report; zero otherwise. */
  installations: number;
  removed: number;
  newTitles: number;
}

/** Field bounds of the registry's RegisterMachineInput and org-unit codes; checked before anything is sent. */
const IDENTITY_LIMITS = { tag: 64, uuid: 64, serialNumber: 255, hostname: 255, operator: 200, deviceId: 255 } as const;

/**
 * Turns a parsed inventory into stored facts (DESIGN → Audit): the TAG names an org unit inside the token's
 * scope; the machine is the registry's, matched by uuid, serial, hostname within the unit, or registered through
 * the registry's API; then, under a per-machine lock, an identical re-send only records that the machine was seen,
 * an older inventory is ignored, and a newer one replaces the installation set. Every outcome, refusals included,
 * leaves one inventory_report row; a refusal writes nothing else.
 */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /** PROLOG / CONTACT: may this token send inventories (and for this TAG, when the agent names one)? */
  async authorize(credentials: AgentCredentials, tag: string | null): Promise<void> {
    this.requireSubmit(credentials.actor);
    if (tag !== null) await this.unitOf(credentials.actor, tag);
  }

  /**
   * The fast path for a byte-identical re-send of the body a machine's current state came from (an agent
   * retrying, or posting its cached inventory again), tried before the body is parsed: `bodyHash` is
   * `agentBodyHash` of the request. The token must be allowed to send inventories, and the original's TAG unit
   * and machine must still lie in its scope; the report is UNCHANGED (last seen moves) or STALE, exactly as the full
   * path would decide. Null when the body is not recognised: take the full path.
   */
  async resubmit(credentials: AgentCredentials, bodyHash: string, receivedAt: Date): Promise<IngestResult | null> {
    const { actor } = credentials;
    // A token that may not send inventories is refused by the full path, after the body is read as before.
    if (!can(actor, Permission.SUBMIT_INVENTORY)) return null;
    const resend = { bodyHash, scopeUnitId: actor.scopeUnitId, receivedAt, actorId: actor.id, requestId: this.deps.requestId };
    const resent = this.deps.resends
      ? await this.deps.resends.record(resend)
      : ((await new IngestRepository(this.deps.em).recordIdenticalResends([resend]))[0] ?? null);
    if (resent === null) return null;
    const outcome = resent.outcome === 'STALE' ? InventoryOutcome.STALE : InventoryOutcome.UNCHANGED;
    return { outcome, machineId: resent.machineId, reportId: resent.reportId, installations: 0, removed: 0, newTitles: 0 };
  }

  /** `bodyHash`: `agentBodyHash` of the request the inventory came in, so that a byte-identical re-send can skip parsing. */
  async submit(credentials: AgentCredentials, inventory: AgentInventory, receivedAt: Date, bodyHash: string | null = null): Promise<IngestResult> {
    return this.submitRead(credentials, readInventory(inventory, this.deps.titles), receivedAt, bodyHash);
  }

  /** `submit` for an inventory already read (`readAgentBody`, on the endpoint's reading threads). */
  async submitRead(credentials: AgentCredentials, read: ReadInventoryMessage, receivedAt: Date, bodyHash: string | null = null): Promise<IngestResult> {
    const { actor } = credentials;
    const { inventory, content } = read;
    this.requireSubmit(actor);
    const tag = inventory.tag ?? actor.scopeUnitCode;
    const collectedAt = inventory.collectedAt === null ? null : new Date(inventory.collectedAt);
    const refused = async (error: AgentRefusal, found: { unitId?: string; machineId?: string } = {}): Promise<never> => {
      await new IngestRepository(this.deps.em).insertReport({
        machineId: found.machineId ?? null,
        orgUnitId: found.unitId ?? null,
        source: inventory.source,
        deviceId: inventory.deviceId,
        tag,
        receivedAt,
        collectedAt,
        partial: inventory.partial,
        checksum: null,
        softwareCount: inventory.softwareCount,
        outcome: InventoryOutcome.REJECTED,
        reason: `${error.code}: ${error.message}`,
        actorId: actor.id,
        requestId: this.deps.requestId,
      });
      throw error;
    };

    const tooLong = identityTooLong(inventory, tag);
    if (tooLong) return refused(tooLong);
    if (tag === null) {
      return refused(new AgentRefusal(422, 'MISSING_TAG', 'The inventory names no org unit: set the agent\'s TAG (--tag) to the unit\'s code'));
    }
    let resolved: ResolvedIdentity;
    try {
      resolved = await this.resolve(actor, tag, inventory);
    } catch (err) {
      return err instanceof AgentRefusal ? refused(err) : Promise.reject(err);
    }
    const { unit } = resolved;
    let machine: KnownMachine;
    try {
      machine = await this.machineFor(credentials, inventory, resolved);
    } catch (err) {
      return err instanceof AgentRefusal ? refused(err, { unitId: unit.id }) : Promise.reject(err);
    }
    return this.store(actor, inventory, content, { unitId: unit.id, machineId: machine.id, tag, receivedAt, collectedAt, bodyHash });
  }

  private requireSubmit(actor: Actor): void {
    if (!can(actor, Permission.SUBMIT_INVENTORY)) {
      throw new AgentRefusal(403, 'FORBIDDEN', 'This token may not send inventories: use a token whose role is AGENT or ADMIN');
    }
  }

  private async unitOf(actor: Actor, tag: string): Promise<{ id: string; code: string }> {
    return (await this.resolve(actor, tag, null)).unit;
  }

  /** The TAG's unit in the token's scope and, when an identity is given, the registry machine it names: one query. */
  private async resolve(actor: Actor, tag: string, inventory: InventoryFacts | null): Promise<ResolvedIdentity> {
    if (tag.length > IDENTITY_LIMITS.tag) {
      throw new AgentRefusal(422, 'FIELD_TOO_LONG', `TAG is ${tag.length} characters long; org unit codes have at most ${IDENTITY_LIMITS.tag}`);
    }
    const identity = inventory?.machine ?? { uuid: null, serialNumber: null, hostname: null };
    const resolved = await new IngestRepository(this.deps.em).resolveIdentity(actor.scopeUnitId, tag, identity);
    if (!resolved) {
      throw new AgentRefusal(422, 'UNKNOWN_ORG_UNIT', `TAG ${printable(tag)} names no org unit inside this token's scope`);
    }
    return resolved;
  }

  private async machineFor(credentials: AgentCredentials, inventory: InventoryFacts, resolved: ResolvedIdentity): Promise<KnownMachine> {
    const { uuid, serialNumber, hostname, kind, operator } = inventory.machine;
    if (uuid === null && serialNumber === null && hostname === null) {
      throw new AgentRefusal(422, 'MISSING_IDENTITY', 'The inventory has no hardware uuid, BIOS serial number or host name to identify the machine');
    }
    const { unit, machine: known } = resolved;
    if (known) {
      if (!known.inScope) {
        throw new AgentRefusal(409, 'MACHINE_OUTSIDE_SCOPE', 'A machine with this identity is registered in a unit outside this token\'s scope');
      }
      return { id: known.id, orgUnitId: known.orgUnitId };
    }
    const id = await this.deps.registrar.register(credentials.token, this.deps.requestId, {
      orgUnitCode: unit.code,
      hostname,
      serialNumber,
      uuid,
      kind: kind as MachineKind,
      // The operator is a hint for the asset manager, not identity: a long one is cut rather than refused.
      operator: operator?.slice(0, IDENTITY_LIMITS.operator) ?? null,
    });
    this.deps.log.info({ machineId: id, orgUnit: unit.code }, 'registered a machine reported by an agent');
    return { id, orgUnitId: unit.id };
  }

  private async store(
    actor: Actor,
    inventory: InventoryFacts,
    content: PackedContent,
    at: { unitId: string; machineId: string; tag: string; receivedAt: Date; collectedAt: Date | null; bodyHash: string | null },
  ): Promise<IngestResult> {
    // Agents' clocks drift: a collection time in the future would make every later report look stale.
    const collectedAt = at.collectedAt !== null && at.collectedAt < at.receivedAt ? at.collectedAt : at.receivedAt;
    const report = (outcome: InventoryOutcome) => ({
      machineId: at.machineId,
      orgUnitId: at.unitId,
      source: inventory.source,
      deviceId: inventory.deviceId,
      tag: at.tag,
      receivedAt: at.receivedAt,
      collectedAt: at.collectedAt,
      partial: inventory.partial,
      checksum: content.checksum,
      softwareCount: inventory.softwareCount,
      outcome,
      reason: null,
      actorId: actor.id,
      requestId: this.deps.requestId,
    });
    // Titles this process has not yet seen stored: the only ones the database is asked about.
    const memo = this.deps.titles;
    const titleIds = packedTitleIds(content);
    const unconfirmedTitleIds = memo ? titleIds.filter((id) => !memo.isStored(id)) : titleIds;
    const result = await this.deps.em.transactional(async (tx) => {
      const repository = new IngestRepository(tx);
      await repository.lockMachine(at.machineId);
      const state = await repository.machineState(at.machineId);
      if (state !== null && state.lastCollectedAt !== null && collectedAt < state.lastCollectedAt) {
        const reportId = await repository.insertReport(report(InventoryOutcome.STALE));
        return { outcome: InventoryOutcome.STALE, machineId: at.machineId, reportId, installations: 0, removed: 0, newTitles: 0 };
      }
      if (state !== null && state.checksum === content.checksum) {
        const reportId = await repository.recordUnchanged(report(InventoryOutcome.UNCHANGED), at.receivedAt, collectedAt, at.bodyHash);
        return { outcome: InventoryOutcome.UNCHANGED, machineId: at.machineId, reportId, installations: 0, removed: 0, newTitles: 0 };
      }
      const replace = {
        software: !inventory.partial || inventory.softwareCount > 0,
        operatingSystem: !inventory.partial || inventory.operatingSystem !== null,
      };
      const applied = await repository.applyInventory(
        report(InventoryOutcome.APPLIED),
        {
          machineId: at.machineId,
          source: inventory.source,
          deviceId: inventory.deviceId,
          seenAt: at.receivedAt,
          collectedAt,
          checksum: content.checksum,
          operatingSystem: content.operatingSystem,
          antivirus: [...content.antivirus],
          licenseKeys: [...content.licenseKeys],
          replaceSoftware: replace.software,
          replaceOperatingSystem: replace.operatingSystem,
          bodyHash: at.bodyHash,
        },
        content.installations,
        unconfirmedTitleIds,
      );
      // Titles never seen before get their recognition now, before the transaction ends (almost never, in a
      // fleet that has reported once: the statement above already told which ones are missing).
      let newTitles = 0;
      if (applied.missingTitleIds.length > 0) {
        newTitles = await new TitleRecognizer(new NormalizationRepository(tx)).storeNewTitles(packedTitleRows(content, new Set(applied.missingTitleIds)));
      }
      return { outcome: InventoryOutcome.APPLIED, machineId: at.machineId, reportId: applied.reportId, installations: applied.upserted, removed: applied.removed, newTitles };
    });
    // Committed: every title of an applied inventory is stored now (found, or inserted by this transaction).
    if (result.outcome === InventoryOutcome.APPLIED) memo?.markStored(titleIds);
    return result;
  }
}

function identityTooLong(inventory: InventoryFacts, tag: string | null): AgentRefusal | null {
  const fields: Array<[string, string | null, number]> = [
    ['TAG', tag, IDENTITY_LIMITS.tag],
    ['DEVICEID', inventory.deviceId, IDENTITY_LIMITS.deviceId],
    ['HARDWARE/UUID', inventory.machine.uuid, IDENTITY_LIMITS.uuid],
    ['BIOS/SSN', inventory.machine.serialNumber, IDENTITY_LIMITS.serialNumber],
    ['HARDWARE/NAME', inventory.machine.hostname, IDENTITY_LIMITS.hostname],
  ];
  for (const [name, value, max] of fields) {
    if (value !== null && value.length > max) {
      return new AgentRefusal(422, 'FIELD_TOO_LONG', `${name} is ${value.length} characters long; at most ${max} are accepted`);
    }
  }
  return null;
}

/** Echo a client-supplied code only when it is short and plain. */
function printable(value: string): string {
  return /^[\w.:-]{1,64}$/.test(value) ? value : '(unprintable)';
}
