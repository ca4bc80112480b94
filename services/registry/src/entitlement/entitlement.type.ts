import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Allocation, ConnectionType, DateScalar, DateTimeScalar, EntitlementType as EntitlementKind, LicenseMetric, Money } from '@genuine/kit';
import { toMoney } from '../money';
import type { EntitlementRecord } from './entitlement.repository';

export enum EntitlementStatus {
  ACTIVE = 'ACTIVE',
  PENDING = 'PENDING',
  EXPIRED = 'EXPIRED',
  RETIRED = 'RETIRED',
}
registerEnumType(EntitlementStatus, {
  name: 'EntitlementStatus',
  description: 'Where an entitlement stands today.',
  valuesConfig: {
    ACTIVE: { description: 'Valid today.' },
    PENDING: { description: 'Valid from a later date.' },
    EXPIRED: { description: 'Its validity ended; it covers nothing and cannot be assigned.' },
    RETIRED: { description: 'Retired by finance; kept for history.' },
  },
});

@ObjectType('Entitlement', { description: 'The right to use a number of seats of an edition, owned by an org unit (a departmental asset).' })
export class EntitlementGqlType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => Int, { description: 'Seats bought.' })
  quantity!: number;

  @Field(() => LicenseMetric, { description: 'What one seat counts.' })
  metric!: LicenseMetric;

  @Field(() => EntitlementKind, { description: 'Commercial form.' })
  type!: EntitlementKind;

  @Field(() => Allocation, { description: 'Whether seats are assigned explicitly or pooled.' })
  allocation!: Allocation;

  @Field(() => DateScalar, { description: 'First day of validity.' })
  validFrom!: string;

  @Field(() => DateScalar, { nullable: true, description: 'Last day of validity (inclusive); null for no end.' })
  validUntil!: string | null;

  @Field(() => Money, { nullable: true, description: 'Price of one seat as bought, in the purchase currency.' })
  unitPrice!: Money | null;

  @Field(() => String, { nullable: true, description: 'Departmental asset tag.' })
  assetTag!: string | null;

  @Field(() => EntitlementStatus, { description: 'Where it stands today.' })
  status!: EntitlementStatus;

  @Field(() => DateTimeScalar, { description: 'When it was recorded.' })
  createdAt!: string;

  editionId!: string;
  orgUnitId!: string;
  purchaseId!: string | null;
  oemMachineId!: string | null;
  record!: EntitlementRecord;
}

function statusOf(record: EntitlementRecord, today: string): EntitlementStatus {
  if (record.retiredAt !== null) return EntitlementStatus.RETIRED;
  if (record.validUntil !== null && record.validUntil < today) return EntitlementStatus.EXPIRED;
  if (record.validFrom > today) return EntitlementStatus.PENDING;
  return EntitlementStatus.ACTIVE;
}

export function toEntitlementType(record: EntitlementRecord): EntitlementGqlType {
  return Object.assign(new EntitlementGqlType(), {
    id: record.id,
    quantity: record.quantity,
    metric: record.metric,
    type: record.type,
    allocation: record.allocation,
    validFrom: record.validFrom,
    validUntil: record.validUntil,
    unitPrice: toMoney(record.unitPrice, record.currency),
    assetTag: record.assetTag,
    status: statusOf(record, new Date().toISOString().slice(0, 10)),
    createdAt: record.createdAt,
    editionId: record.editionId,
    orgUnitId: record.orgUnitId,
    purchaseId: record.purchaseId,
    oemMachineId: record.oemMachineId,
    record,
  });
}

export const EntitlementConnection = ConnectionType(EntitlementGqlType, 'EntitlementConnection', 'entitlement');
