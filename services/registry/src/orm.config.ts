import path from 'node:path';
import { serviceOrmConfig, type Logger } from '@genuine/kit';
import { AuditEvent, ChangeLogEntry } from './history/history.entity';
import { Machine } from './machine/machine.entity';
import { migrations } from './migrations';
import { OrgUnit, OrgUnitClosure } from './org-unit/org-unit.entity';

export const registryEntities = [OrgUnit, OrgUnitClosure, Machine, AuditEvent, ChangeLogEntry];

export function registryOrmConfig(o: { databaseUrl: string; readUrl?: string; poolMax: number; log?: Logger }) {
  return serviceOrmConfig({
    schema: 'registry',
    entities: registryEntities,
    migrationsDir: path.join(__dirname, 'migrations'),
    migrationsList: migrations,
    ...o,
  });
}
