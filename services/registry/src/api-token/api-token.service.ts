import { randomUUID } from 'node:crypto';
import { badInput, forbidden, newApiToken, notFound, type Actor, type Role } from '@genuine/kit';
import { HistoryRepository } from '../history/history.repository';
import { isUuid } from '../ids';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import { canManageApiTokens } from './api-token.policy';
import { ApiTokenRepository, type ApiTokenRecord } from './api-token.repository';

export interface CreateApiTokenCommand {
  name: string;
  role: Role;
  /** Scope of the token; null for the whole organisation. */
  orgUnitCode?: string | null;
  expiresOn?: string | null;
}

/** API tokens: created (shown once), listed and revoked by administrators within their scope. */
export class ApiTokenService {
  private readonly repository: ApiTokenRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly orgUnits: OrgUnitService,
  ) {
    this.repository = new ApiTokenRepository(deps.em);
  }

  async create(actor: Actor, command: CreateApiTokenCommand): Promise<{ token: string; record: ApiTokenRecord }> {
    if (!canManageApiTokens(actor)) throw forbidden('Only administrators manage API tokens');
    const unit = command.orgUnitCode ? await this.orgUnits.getByCode(actor, command.orgUnitCode) : null;
    // A scoped administrator cannot mint a token that sees more than they do.
    if (!unit && actor.scopeUnitId !== null) throw forbidden('A scoped administrator creates tokens only inside their subtree');
    if (command.expiresOn && command.expiresOn < new Date().toISOString().slice(0, 10)) throw badInput('expiresOn is in the past');
    const { token, hash } = newApiToken();
    const id = randomUUID();
    const record = await this.deps.em.transactional(async (tx) => {
      await tx.execute(
        `insert into registry.api_token (id, name, token_hash, role, scope_unit_id, created_by, expires_on) values (?, ?, ?, ?, ?, ?, ?::date)`,
        [id, command.name.trim(), hash, command.role, unit?.id ?? null, actor.id, command.expiresOn ?? null],
      );
      const [created] = await new ApiTokenRepository(tx).findByIds([id]);
      await new HistoryRepository(tx).recordEvent(actor, this.deps.requestId, {
        action: 'api_token.create',
        entity: 'api_token',
        entityId: id,
        after: { ...created },
        orgUnitIds: unit ? [unit.id] : [],
      });
      return created;
    });
    return { token, record };
  }

  async revoke(actor: Actor, id: string): Promise<ApiTokenRecord> {
    if (!canManageApiTokens(actor)) throw forbidden('Only administrators manage API tokens');
    const [existing] = isUuid(id) ? await this.repository.findByIds([id]) : [];
    const visible = existing && (existing.scopeUnitId === null ? actor.scopeUnitId === null : await this.orgUnits.getById(actor, existing.scopeUnitId));
    if (!existing || !visible) throw notFound('API token');
    if (existing.revokedAt) return existing;
    return this.deps.em.transactional(async (tx) => {
      await tx.execute(`update registry.api_token set revoked_at = now() where id = ? and revoked_at is null`, [id]);
      const [revoked] = await new ApiTokenRepository(tx).findByIds([id]);
      await new HistoryRepository(tx).recordEvent(actor, this.deps.requestId, {
        action: 'api_token.revoke',
        entity: 'api_token',
        entityId: id,
        before: { ...existing },
        after: { ...revoked },
        orgUnitIds: existing.scopeUnitId ? [existing.scopeUnitId] : [],
      });
      return revoked;
    });
  }

  async list(actor: Actor, first: number, after: [string, string] | null) {
    if (!canManageApiTokens(actor)) throw forbidden('Only administrators manage API tokens');
    const rows = await this.repository.list(actor.scopeUnitId, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.count(actor.scopeUnitId) };
  }
}
