import path from 'node:path';
import { ApiToken } from './api-token/api-token.entity';
import { serviceOrmConfig, type Logger } from '@genuine/kit';
import { Assignment } from './assignment/assignment.entity';
import { Edition, EditionDowngrade, EditionSuiteProduct, Product, Publisher } from './catalogue/catalogue.entity';
import { Entitlement } from './entitlement/entitlement.entity';
import { AuditEvent, ChangeLogEntry } from './history/history.entity';
import { LicenseKey } from './license-key/license-key.entity';
import { Machine } from './machine/machine.entity';
import { migrations } from './migrations';
import { OrgUnit, OrgUnitClosure } from './org-unit/org-unit.entity';
import { Person } from './person/person.entity';
import { Purchase, Supplier } from './purchase/purchase.entity';

export const registryEntities = [
  OrgUnit,
  OrgUnitClosure,
  Machine,
  Person,
  Publisher,
  Product,
  Edition,
  EditionDowngrade,
  EditionSuiteProduct,
  Supplier,
  Purchase,
  Entitlement,
  LicenseKey,
  Assignment,
  AuditEvent,
  ChangeLogEntry,
  ApiToken,
];

export function registryOrmConfig(o: { databaseUrl: string; readUrl?: string; poolMax: number; log?: Logger }) {
  return serviceOrmConfig({
    schema: 'registry',
    entities: registryEntities,
    migrationsDir: path.join(__dirname, 'migrations'),
    migrationsList: migrations,
    ...o,
  });
}
