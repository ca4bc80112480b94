import { randomUUID } from 'node:crypto';
import { badInput, conflict, forbidden, isUniqueViolation, type Actor, type SecretBox } from '@genuine/kit';
import type { EntitlementRecord } from '../entitlement/entitlement.repository';
import type { EntitlementService } from '../entitlement/entitlement.service';
import { HistoryRepository } from '../history/history.repository';
import type { ServiceDeps } from '../org-unit/org-unit.service';
import type { LicenseKeyLoaders } from './license-key.loader';
import { canOnLicenseKey } from './license-key.policy';
import { LicenseKeyRepository, type LicenseKeyRecord } from './license-key.repository';

export const MAX_KEYS_PER_CALL = 500;

/** Shows the last four letters or digits of a key and its separators; every other letter or digit becomes `*`. */
export function maskKey(key: string): string {
  let visible = 4;
  const chars = [...key];
  for (let i = chars.length - 1; i >= 0; i--) {
    if (/[\p{L}\p{N}]/u.test(chars[i])) {
      if (visible > 0) visible--;
      else chars[i] = '*';
    }
  }
  return chars.join('');
}

/**
 * License keys: added in bulk, stored sealed with AES-256-GCM, shown masked to every reader and whole only to
 * READ_LICENSE_KEYS within scope. Keys appear in no log line and no audit event (events carry the masked form).
 */
export class LicenseKeyService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: LicenseKeyLoaders,
    private readonly entitlements: EntitlementService,
    private readonly box: SecretBox | null,
  ) {}

  private requireBox(): SecretBox {
    if (!this.box) throw new Error('License keys are unavailable: GENUINE_LICENSE_KEY_SECRET is not configured');
    return this.box;
  }

  async ofEntitlement(actor: Actor, entitlement: EntitlementRecord, first: number, after: [string, string] | null) {
    if (!canOnLicenseKey(actor, 'read-masked')) throw forbidden();
    const rows = after
      ? await new LicenseKeyRepository(this.deps.em).pageOfEntitlements([entitlement.id], after, first + 1)
      : await this.loaders.firstOfEntitlement(first + 1).load(entitlement.id);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.loaders.countOfEntitlement.load(entitlement.id) };
  }

  /** The whole key, or null when the caller may not see it (role, or the entitlement outside their scope). */
  async reveal(actor: Actor, key: LicenseKeyRecord): Promise<string | null> {
    if (!canOnLicenseKey(actor, 'reveal')) return null;
    if (!(await this.entitlements.getById(actor, key.entitlementId))) return null;
    const sealed = await this.loaders.sealed.load(key.id);
    return sealed ? this.requireBox().open(sealed) : null;
  }

  /** Adds up to 500 keys to an entitlement in one statement; a key it already has is a CONFLICT (nothing added). */
  async add(actor: Actor, entitlementId: string, keys: readonly string[]): Promise<LicenseKeyRecord[]> {
    if (!canOnLicenseKey(actor, 'add')) throw forbidden('Your role cannot add license keys');
    const trimmed = keys.map((k) => k.trim());
    if (trimmed.length === 0 || trimmed.length > MAX_KEYS_PER_CALL) throw badInput(`Give 1 to ${MAX_KEYS_PER_CALL} keys`);
    const bad = trimmed.flatMap((k, i) => (k.length === 0 || k.length > 200 ? [i] : []));
    if (bad.length > 0) throw badInput('Keys must be 1 to 200 characters', { indexes: bad });
    if (new Set(trimmed).size !== trimmed.length) throw badInput('The same key appears twice');
    const entitlement = await this.entitlements.require(actor, entitlementId);
    const box = this.requireBox();
    const rows = trimmed.map((k) => ({ id: randomUUID(), entitlementId: entitlement.id, sealed: box.seal(k), fingerprint: box.fingerprint(k), masked: maskKey(k) }));
    return this.deps.em.transactional(async (tx) => {
      const added = await new LicenseKeyRepository(tx).insertMany(rows, actor.id).catch((err: unknown) => {
        throw isUniqueViolation(err) ? conflict('The entitlement already has one of these keys; nothing was added') : err;
      });
      await new HistoryRepository(tx).recordEvents(
        actor,
        this.deps.requestId,
        added.map((k) => ({ action: 'license_key.add', entity: 'license_key', entityId: k.id, after: { entitlementId: k.entitlementId, masked: k.masked }, orgUnitIds: [entitlement.orgUnitId] })),
      );
      return added;
    });
  }
}
