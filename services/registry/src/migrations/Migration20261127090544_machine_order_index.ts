import { Migration } from '@mikro-orm/migrations';

export class Migration20261127090544_machine_order_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "registry"."machine_unit_order_idx";`);

    this.addSql(`create index "machine_unit_order_coalesce_idx" on "registry"."machine" ("org_unit_id", (coalesce("hostname", '')), "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "registry"."machine_unit_order_coalesce_idx";`);

    this.addSql(`create index "machine_unit_order_idx" on "registry"."machine" ("org_unit_id", "hostname", "id");`);
  }

}
