import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, DateScalar, DateTimeScalar, Role } from '@genuine/kit';
import type { ApiTokenRecord } from './api-token.repository';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a token may do (README → roles and permissions).',
  valuesConfig: {
    ADMIN: { description: 'Everything, within its scope.' },
    ASSET_MANAGER: { description: 'Machines, seats, catalogue, normalization.' },
    FINANCE: { description: 'Purchases, entitlements, spend.' },
    AUDITOR: { description: 'Campaigns, spot checks, the audit trail.' },
    VIEWER: { description: 'Reads only.' },
    AGENT: { description: 'Inventory agents: send inventories only.' },
  },
});

@ObjectType('ApiToken', { description: 'An API token; the secret itself is shown only once, when it is created.' })
export class ApiTokenType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'What the token is for.' })
  name!: string;

  @Field(() => Role, { description: 'Role the token grants.' })
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Code of the org unit whose subtree the token sees; null for everything.' })
  orgUnitCode!: string | null;

  @Field(() => String, { description: 'Who created it.' })
  createdBy!: string;

  @Field(() => DateTimeScalar, { description: 'When it was created.' })
  createdAt!: string;

  @Field(() => DateScalar, { nullable: true, description: 'Last day it works; null for no end.' })
  expiresOn!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was revoked.' })
  revokedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was last used (to the minute).' })
  lastUsedAt!: string | null;
}

export function toApiTokenType(r: ApiTokenRecord): ApiTokenType {
  return Object.assign(new ApiTokenType(), {
    id: r.id,
    name: r.name,
    role: r.role,
    orgUnitCode: r.scopeUnitCode,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    expiresOn: r.expiresOn,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
  });
}

@ObjectType('CreatedApiToken', { description: 'A new token and, once only, its secret.' })
export class CreatedApiTokenType {
  @Field(() => String, { description: 'The bearer token. Store it now: it cannot be shown again.' })
  token!: string;

  @Field(() => ApiTokenType, { description: 'The token record.' })
  apiToken!: ApiTokenType;
}

export const ApiTokenConnection = ConnectionType(ApiTokenType, 'ApiTokenConnection', 'API token');
