import path from 'node:path';
import { serviceOrmConfig, type Logger } from '@genuine/kit';
import { campaignEntities } from './campaign/campaign.entity';
import {
  ComplianceDirtyMachine,
  ComplianceInstall,
  ComplianceMachineCategory,
  CompliancePosition,
  ComplianceState,
  ComplianceUnit,
  ComplianceUnitCategory,
} from './compliance/compliance.entity';
import { Installation, InventoryReport, MachineInventory } from './inventory/inventory.entity';
import { migrations } from './migrations';
import { NormalizationRule } from './normalization/normalization-rule.entity';
import { SoftwareTitle } from './normalization/software-title.entity';

export const auditEntities = [
  InventoryReport,
  MachineInventory,
  Installation,
  SoftwareTitle,
  NormalizationRule,
  ComplianceInstall,
  ComplianceMachineCategory,
  ComplianceUnitCategory,
  ComplianceUnit,
  CompliancePosition,
  ComplianceDirtyMachine,
  ComplianceState,
  ...campaignEntities,
];

export function auditOrmConfig(o: { databaseUrl: string; readUrl?: string; poolMax: number; log?: Logger }) {
  return serviceOrmConfig({
    schema: 'audit',
    entities: auditEntities,
    migrationsDir: path.join(__dirname, 'migrations'),
    migrationsList: migrations,
    ...o,
  });
}
