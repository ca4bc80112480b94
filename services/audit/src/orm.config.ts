import path from 'node:path';
import { serviceOrmConfig, type Logger } from '@genuine/kit';
import { Installation, InventoryReport, MachineInventory } from './inventory/inventory.entity';
import { migrations } from './migrations';

export const auditEntities = [InventoryReport, MachineInventory, Installation];

export function auditOrmConfig(o: { databaseUrl: string; readUrl?: string; poolMax: number; log?: Logger }) {
  return serviceOrmConfig({
    schema: 'audit',
    entities: auditEntities,
    migrationsDir: path.join(__dirname, 'migrations'),
    migrationsList: migrations,
    ...o,
  });
}
