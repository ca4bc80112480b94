import { Migration } from '@mikro-orm/migrations';

/**
 * Machine statuses are read by machine (their primary key) and recounted per unit only in a full recompute, which
 * reads them all; units' figures live in compliance_unit_category. The index by unit served nothing and cost every
 * status write, and half a second of each full recompute at 100,000 machines.
 */
export class Migration20261127171950_drop_unused_status_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "audit"."compliance_machine_category_unit_idx";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "compliance_machine_category_unit_idx" on "audit"."compliance_machine_category" ("org_unit_id", "category", "status");`);
  }

}
