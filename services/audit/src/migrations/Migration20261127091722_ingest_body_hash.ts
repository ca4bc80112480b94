import { Migration } from '@mikro-orm/migrations';

export class Migration20261127091722_ingest_body_hash extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "audit"."machine_inventory" add column "body_hash" varchar(64) null, add column "body_report_id" bigint null;`);
    this.addSql(`create index "machine_inventory_body_hash_idx" on "audit"."machine_inventory" ("body_hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "audit"."machine_inventory_body_hash_idx";`);
    this.addSql(`alter table "audit"."machine_inventory" drop column "body_hash", drop column "body_report_id";`);
  }

}
