import { Migration } from '@mikro-orm/migrations';

/**
 * The two lookups of compliance results by entitlement and by product serve the pool deal alone (seats dealt per
 * pool; the installs that ask a pool), so their indexes cover only those rows: about half the table, cheaper to
 * build in a full recompute and to keep up on every inventory.
 */
export class Migration20261127165859_pool_partial_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "audit"."compliance_install_product_idx";`);
    this.addSql(`drop index "audit"."compliance_install_entitlement_idx";`);

    this.addSql(`create index "compliance_install_pool_ask_idx" on "audit"."compliance_install" ("product_id") where "licensable" and ("basis" is null or "basis" = 'POOL');`);
    this.addSql(`create index "compliance_install_pool_seat_idx" on "audit"."compliance_install" ("entitlement_id") where "basis" = 'POOL';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "audit"."compliance_install_pool_ask_idx";`);
    this.addSql(`drop index "audit"."compliance_install_pool_seat_idx";`);

    this.addSql(`create index "compliance_install_product_idx" on "audit"."compliance_install" ("product_id", "basis");`);
    this.addSql(`create index "compliance_install_entitlement_idx" on "audit"."compliance_install" ("entitlement_id");`);
  }

}
