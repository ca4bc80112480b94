import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType, DateTimeScalar } from '@genuine/kit';
import type { LicenseKeyRecord } from './license-key.repository';

@ObjectType('LicenseKey', { description: 'A license key of an entitlement; stored encrypted, shown masked unless your role may read keys.' })
export class LicenseKeyType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'The key with all but its last four letters and digits replaced by `*`.' })
  masked!: string;

  @Field(() => DateTimeScalar, { description: 'When it was added.' })
  addedAt!: string;

  @Field(() => String, { description: 'Who added it.' })
  addedBy!: string;

  record!: LicenseKeyRecord;
}

export function toLicenseKeyType(record: LicenseKeyRecord): LicenseKeyType {
  return Object.assign(new LicenseKeyType(), { id: record.id, masked: record.masked, addedAt: record.createdAt, addedBy: record.createdBy, record });
}

export const LicenseKeyConnection = ConnectionType(LicenseKeyType, 'LicenseKeyConnection', 'license key');
